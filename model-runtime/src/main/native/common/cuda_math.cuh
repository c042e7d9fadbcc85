// Small device helpers shared by the non-linear kernels: warp and block reductions, scans, (value, index)
// maxima with ties to the lower index, and activation functions.
#pragma once

#include <cstdint>
#include <cuda_runtime.h>

namespace rw {

constexpr unsigned FULL_MASK = 0xffffffffu;
constexpr float LOG2E_F = 1.4426950408889634f;

__device__ __forceinline__ unsigned lane_id() { return threadIdx.x & 31u; }

// Lanes below the calling one, as a bit mask.
__device__ __forceinline__ unsigned lanemask_lt() { return (1u << lane_id()) - 1u; }

// Sum/max over groups of WIDTH consecutive lanes (WIDTH a power of two <= 32); every lane of a group gets the
// result. The whole warp must call it.
template <int WIDTH = 32>
__device__ __forceinline__ float group_sum(float v) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) {
        v += __shfl_xor_sync(FULL_MASK, v, o);
    }
    return v;
}

template <int WIDTH = 32>
__device__ __forceinline__ float group_max(float v) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    }
    return v;
}

__device__ __forceinline__ float warp_sum(float v) { return group_sum<32>(v); }
__device__ __forceinline__ float warp_max(float v) { return group_max<32>(v); }

// (v, i) is better than (bv, bi): larger value, or equal value and lower index.
__device__ __forceinline__ bool better_pair(float v, int i, float bv, int bi) {
    return v > bv || (v == bv && i < bi);
}

// Warp-wide maximum of (value, index) pairs with ties to the lower index; every lane gets the result. Values
// must not be NaN (callers never admit one).
__device__ __forceinline__ void warp_argmax(float& v, int& i) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(FULL_MASK, v, o);
        const int oi = __shfl_xor_sync(FULL_MASK, i, o);
        if (better_pair(ov, oi, v, i)) {
            v = ov;
            i = oi;
        }
    }
}

// Inclusive prefix sum over the lanes of a warp.
__device__ __forceinline__ float warp_inclusive_sum(float v) {
    const unsigned lane = lane_id();
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
        const float t = __shfl_up_sync(FULL_MASK, v, o);
        if (lane >= (unsigned)o) {
            v += t;
        }
    }
    return v;
}

// Sum over the whole block, returned to every thread. Every thread of the block must call it; scratch holds 32
// floats of shared memory (it may be reused by the next call: the leading barrier protects it).
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    v = warp_sum(v);
    const unsigned lane = lane_id();
    const unsigned warp = threadIdx.x >> 5;
    const unsigned warps = (blockDim.x + 31u) >> 5;
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    float t = lane < warps ? scratch[lane] : 0.f;
    return warp_sum(t);
}

// Maximum over the whole block, returned to every thread (same contract as block_sum).
__device__ __forceinline__ float block_max(float v, float* scratch) {
    v = warp_max(v);
    const unsigned lane = lane_id();
    const unsigned warp = threadIdx.x >> 5;
    const unsigned warps = (blockDim.x + 31u) >> 5;
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    float t = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(t);
}

__device__ __forceinline__ float silu(float x) { return x / (1.f + expf(-x)); }

}  // namespace rw
