// Element-wise and row-wise kernels: embedding lookup, RMSNorm, position bookkeeping.
#pragma once

#include <cstdint>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace rw {

// x[r][d] = float(table[tokens[r]][d]); tokens are read from device memory (the decode graph feeds back the
// sampled token). Token ids outside [0, vocab) give a zero row.
cudaError_t embed_rows(const __half* table, int vocab, int hidden, const int32_t* tokens, int rows, float* x,
                       cudaStream_t stream);

// y[r][d] = x[r][d] / sqrt(mean_d(x[r]^2) + eps) * w[d], fp32 throughout (as transformers' MixtralRMSNorm);
// y may equal x.
cudaError_t rms_norm(const float* x, int ldx, const float* w, int rows, int dim, float eps, float* y, int ldy,
                     cudaStream_t stream);

// seq[r] = seq_value, pos[r] = start + r for r < rows (prefill rows of one sequence).
cudaError_t positions_fill(int32_t* seq, int32_t* pos, int rows, int seq_value, int start, cudaStream_t stream);

// v[i] += by for i < n (advances decode positions, or a sampling step counter, inside a captured graph).
cudaError_t counters_advance(int32_t* v, int n, int by, cudaStream_t stream);

}  // namespace rw
