// Next-token choice on the device, and random fills for synthetic benchmark models.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace rw {

// out[r] = argmax_v logits[r][v] (the lowest index among equal maxima, as the CPU sampler).
cudaError_t argmax_rows(const float* logits, int rows, int vocab, int32_t* out, cudaStream_t stream);

// Samples out[r] from softmax(logits[r] / temperature) restricted to the k largest logits (k >= 1; ties to the
// lower index). The uniform draw of row r is a counter-based hash of (seed, *step, r): replaying a captured graph
// with a step counter advanced by counters_advance gives fresh draws, and equal inputs give equal tokens.
cudaError_t sample_top_k(const float* logits, int rows, int vocab, int k, float temperature, uint64_t seed,
                         const int32_t* step, int32_t* out, cudaStream_t stream);

// Deterministic pseudo-random fills (counter-based, any launch order gives the same bytes).
cudaError_t fill_random_bits(uint32_t* p, size_t words, uint64_t seed, cudaStream_t stream);
cudaError_t fill_random_half(__half* p, size_t n, float lo, float hi, uint64_t seed, cudaStream_t stream);
// half2 (scale in [lo, hi), 1024 + zero with zero uniform in [0, max_zero]) for GPTQ scale_zero tables.
cudaError_t fill_random_scale_zero(__half2* p, size_t n, float lo, float hi, int max_zero, uint64_t seed,
                                   cudaStream_t stream);

}  // namespace rw
