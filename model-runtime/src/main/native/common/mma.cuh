// Tensor-core helpers (sm_80+): ldmatrix from shared memory and mma.sync m16n8k16 with fp16 inputs and fp32
// accumulators. Fragment layouts (g = lane / 4, t = lane % 4):
//   A 16x16 row-major: a[0] = (row g, cols 2t..2t+1), a[1] = (row g+8, same), a[2] = (row g, cols 2t+8..),
//                      a[3] = (row g+8, cols 2t+8..)
//   B 16x8 (k x n):    b[0] = (k 2t..2t+1, col g), b[1] = (k 2t+8.., col g)
//   C 16x8 fp32:       c[0], c[1] = (row g, cols 2t, 2t+1), c[2], c[3] = (row g+8, same)
#pragma once

#include <cstdint>
#include <cuda_runtime.h>

namespace rw {
namespace mma {

__device__ __forceinline__ uint32_t smem_addr(const void* p) {
    return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// Four 8x8 b16 matrices; lanes 8i..8i+7 give the row addresses (16-byte aligned) of matrix i, whose fragment lands
// in r[i] (each lane: row lane/4, columns 2(lane%4), +1).
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_addr(p))
                 : "memory");
}

// d += a * b
__device__ __forceinline__ void mma_m16n8k16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

}  // namespace mma
}  // namespace rw
