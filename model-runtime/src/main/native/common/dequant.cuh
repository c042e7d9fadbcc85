// Device helpers for the GPU GPTQ layout of common/device_matrix.cuh: streaming loads and the "magic number"
// dequantisation. Every helper turns packed quantised values q into half2 words (1024 + q_a, 1024 + q_b): the bit
// pattern 0x6400 | v is the fp16 number 1024 + v for 0 <= v < 1024, so no conversion instruction is needed, and
// subtracting the half2 (1024 + zero) that scale_zero.y stores gives q - zero exactly.
#pragma once

#include <cstdint>
#include <cstring>
#include <cuda_fp16.h>

namespace rw {
namespace dq {

constexpr uint32_t kMagic = 0x64006400u;  // half2 (1024, 1024)

__device__ __forceinline__ __half2 h2_bits(uint32_t v) {
    __half2 h;
    memcpy(&h, &v, sizeof(h));
    return h;
}

__device__ __forceinline__ uint32_t bits_h2(__half2 h) {
    uint32_t v;
    memcpy(&v, &h, sizeof(v));
    return v;
}

// Read-only loads of data used once per launch (weights): not kept in L1.
__device__ __forceinline__ uint4 ld_stream_u4(const void* p) {
    uint4 r;
    asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(r.x), "=r"(r.y), "=r"(r.z), "=r"(r.w)
        : "l"(p));
    return r;
}

__device__ __forceinline__ uint2 ld_stream_u2(const void* p) {
    uint2 r;
    asm("ld.global.nc.L1::no_allocate.v2.u32 {%0, %1}, [%2];" : "=r"(r.x), "=r"(r.y) : "l"(p));
    return r;
}

// 4 bits, one word of 8 slots (slot 2k at bits 4k, slot 2k+1 at bits 16+4k): o[base+k] = (1024+q[2k], 1024+q[2k+1]).
template <int N>
__device__ __forceinline__ void magic4(uint32_t w, __half2 (&o)[N], int base) {
#pragma unroll
    for (int k = 0; k < 4; ++k) {
        o[base + k] = h2_bits(((w >> (4 * k)) & 0x000F000Fu) | kMagic);
    }
}

// 8 bits, one word of 4 slots (byte j = slot j): o[base] = (1024+q[0], 1024+q[1]), o[base+1] = (.. q[2], .. q[3]).
template <int N>
__device__ __forceinline__ void magic8(uint32_t w, __half2 (&o)[N], int base) {
    o[base] = h2_bits(__byte_perm(w, 0x64646464u, 0x4140));
    o[base + 1] = h2_bits(__byte_perm(w, 0x64646464u, 0x4342));
}

// 2 bits, one word of 16 slots (slot i at bits 2i). Pairs slot i with slot i+8:
// o[base+i] = (1024+q[i], 1024+q[i+8]) for i = 0..7.
template <int N>
__device__ __forceinline__ void magic2(uint32_t w, __half2 (&o)[N], int base) {
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        o[base + i] = h2_bits(((w >> (2 * i)) & 0x00030003u) | kMagic);
    }
}

// 3 bits, 16 slots: `lo` holds their low two bits at bits 2i, `hi16` their third bits at bit i (bits 16.. ignored).
// Same pairing as magic2: o[base+i] = (1024+q[i], 1024+q[i+8]).
template <int N>
__device__ __forceinline__ void magic3(uint32_t lo, uint32_t hi16, __half2 (&o)[N], int base) {
    // third bit of slot i at bit i+2, of slot i+8 at bit 18+i: one shift by i then places both at bit 2 of a half
    const uint32_t hs = ((hi16 & 0xFFu) | ((hi16 & 0xFF00u) << 8)) << 2;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        o[base + i] = h2_bits(((lo >> (2 * i)) & 0x00030003u) | ((hs >> i) & 0x00040004u) | kMagic);
    }
}

// magic2/magic3 give pairs (i, i+8) of a 16-slot half block; this reorders them in place to natural pairs
// (2m, 2m+1), m = 0..7, using byte permutes only.
template <int N>
__device__ __forceinline__ void pairs_to_natural(__half2 (&p)[N], int base) {
    __half2 t[8];
#pragma unroll
    for (int m = 0; m < 4; ++m) {
        t[m] = __lows2half2(p[base + 2 * m], p[base + 2 * m + 1]);
        t[4 + m] = __highs2half2(p[base + 2 * m], p[base + 2 * m + 1]);
    }
#pragma unroll
    for (int m = 0; m < 8; ++m) {
        p[base + m] = t[m];
    }
}

}  // namespace dq
}  // namespace rw
