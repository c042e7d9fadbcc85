// Linear layers on the device: GPTQ (2/3/4/8-bit, layout in common/device_matrix.cuh) and dense fp16.
#pragma once

#include <cuda_runtime.h>

#include "common/device_matrix.cuh"

namespace rw {

// Runs every task of `batch` through its expert's `nmat` matrices, accumulating into batch.y (see LinearBatch).
// All matrices of one launch share kind, bits and in_features; max_out is the largest out_features among them.
// Up to 16 tasks per expert use the split-K GEMV (weights streamed once, 8 task rows per pass); more use the
// tensor-core GEMM (weights dequantised to fp16 tiles in shared memory). `max_tasks_per_expert` is an upper bound
// the host knows (rows without routing, rows for MoE: at most one assignment of a token per expert).
// Returns the launch error, if any; it never synchronises.
cudaError_t linear_forward(const LinearBatch& batch, int kind, int bits, int in, int max_out,
                           int max_tasks_per_expert, cudaStream_t stream);

}  // namespace rw
