// Mixtral routing on the device.
#pragma once

#include <cstdint>
#include <cuda_runtime.h>

namespace rw {

// For each row r of router logits [rows][experts] (fp32): softmax over all experts in fp32, the top-k
// probabilities (ties to the lower expert index, as the CPU backend), renormalised to sum to one.
// Writes topk_ids[r * topk + k], topk_weight[r * topk + k], and groups the assignments a = r * topk + k by expert
// (stable, counting sort): expert e owns sorted_assign[expert_offset[e] .. expert_offset[e + 1]). One launch, no
// host synchronisation: the grouped GEMV/GEMM read the offsets from device memory.
cudaError_t moe_route(const float* logits, int rows, int experts, int topk, int32_t* topk_ids, float* topk_weight,
                      int32_t* expert_offset, int32_t* sorted_assign, cudaStream_t stream);

}  // namespace rw
