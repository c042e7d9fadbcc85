// Counter-based random numbers: SplitMix64. Value i of the stream seeded with s is mix64(s + (i + 1) * gamma),
// which is also the (i + 1)-th nextLong() of java.util.SplittableRandom(s), so host code can reproduce any value
// without replaying a sequence, and the result does not depend on launch configuration or order.
#pragma once

#include <cstdint>
#include <cuda_runtime.h>

namespace rw {

constexpr uint64_t SPLITMIX_GAMMA = 0x9E3779B97F4A7C15ull;

__host__ __device__ __forceinline__ uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Value `index` of the SplitMix64 stream seeded with `seed`.
__host__ __device__ __forceinline__ uint64_t splitmix64_at(uint64_t seed, uint64_t index) {
    return mix64(seed + (index + 1) * SPLITMIX_GAMMA);
}

// A float uniform in [0, 1) from the top 24 bits of a hash (exactly representable, never 1).
__host__ __device__ __forceinline__ float uniform_from_bits(uint64_t h) {
    return (float)(h >> 40) * (1.0f / 16777216.0f);
}

// The uniform draw of sampling row `row` at step `step` (sample_top_k): two nested stream positions.
__host__ __device__ __forceinline__ float sampling_uniform(uint64_t seed, uint32_t step, uint32_t row) {
    return uniform_from_bits(splitmix64_at(splitmix64_at(seed, step), row));
}

}  // namespace rw
