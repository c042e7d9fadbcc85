// Row-wise kernels: embedding lookup, RMSNorm and position bookkeeping.
//
// Design: embed_rows and rms_norm run one block per row. The embedding copy converts 8 halves (one 16-byte load)
// into two float4 stores when the hidden size and the pointers allow it. RMSNorm makes two passes over the row
// (the second one hits L1/L2): a sum of squares with float4 loads when dim % 4 == 0 and the rows are 16-byte
// aligned, a deterministic fp32 block reduction, then y = w * (x * inv) in the CPU backend's operation order; each
// thread reads and writes the same elements, so y may alias x. positions_fill and counters_advance are plain
// grid-stride kernels with no host-side state, so they can be captured into a graph and replayed.
#include "norm.cuh"

#include "common/cuda_math.cuh"

namespace rw {
namespace {

constexpr int EMBED_THREADS = 128;
constexpr int NORM_THREADS = 256;
constexpr int SMALL_THREADS = 256;

inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

template <bool VEC>
__global__ void __launch_bounds__(EMBED_THREADS)
    embed_rows_kernel(const __half* __restrict__ table, int vocab, int hidden, const int32_t* __restrict__ tokens,
                      float* __restrict__ x) {
    const int r = blockIdx.x;
    const int tok = tokens[r];
    const bool valid = tok >= 0 && tok < vocab;
    const __half* src = table + (size_t)(valid ? tok : 0) * (size_t)hidden;
    float* dst = x + (size_t)r * (size_t)hidden;
    if (VEC) {
        const int n8 = hidden >> 3;
        const uint4* s8 = reinterpret_cast<const uint4*>(src);
        float4* d4 = reinterpret_cast<float4*>(dst);
        for (int i = threadIdx.x; i < n8; i += blockDim.x) {
            float4 lo = make_float4(0.f, 0.f, 0.f, 0.f);
            float4 hi = lo;
            if (valid) {
                const uint4 u = __ldg(s8 + i);
                const __half2* h = reinterpret_cast<const __half2*>(&u);
                const float2 a = __half22float2(h[0]);
                const float2 b = __half22float2(h[1]);
                const float2 c = __half22float2(h[2]);
                const float2 d = __half22float2(h[3]);
                lo = make_float4(a.x, a.y, b.x, b.y);
                hi = make_float4(c.x, c.y, d.x, d.y);
            }
            d4[2 * i] = lo;
            d4[2 * i + 1] = hi;
        }
    } else {
        for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
            dst[i] = valid ? __half2float(src[i]) : 0.f;
        }
    }
}

// x and y may alias: no __restrict__ on them.
template <bool VEC>
__global__ void __launch_bounds__(NORM_THREADS)
    rms_norm_kernel(const float* x, int ldx, const float* __restrict__ w, int dim, float eps, float* y, int ldy) {
    __shared__ float scratch[32];
    const float* xr = x + (size_t)blockIdx.x * (size_t)ldx;
    float* yr = y + (size_t)blockIdx.x * (size_t)ldy;
    float ss = 0.f;
    if (VEC) {
        const int n4 = dim >> 2;
        const float4* x4 = reinterpret_cast<const float4*>(xr);
        for (int i = threadIdx.x; i < n4; i += blockDim.x) {
            const float4 v = x4[i];
            ss += v.x * v.x;
            ss += v.y * v.y;
            ss += v.z * v.z;
            ss += v.w * v.w;
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) {
            const float v = xr[i];
            ss += v * v;
        }
    }
    ss = block_sum(ss, scratch);
    const float inv = 1.0f / sqrtf(ss / (float)dim + eps);
    if (VEC) {
        const int n4 = dim >> 2;
        const float4* x4 = reinterpret_cast<const float4*>(xr);
        const float4* w4 = reinterpret_cast<const float4*>(w);
        float4* y4 = reinterpret_cast<float4*>(yr);
        for (int i = threadIdx.x; i < n4; i += blockDim.x) {
            const float4 v = x4[i];
            const float4 g = __ldg(w4 + i);
            y4[i] = make_float4(g.x * (v.x * inv), g.y * (v.y * inv), g.z * (v.z * inv), g.w * (v.w * inv));
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) {
            yr[i] = __ldg(w + i) * (xr[i] * inv);
        }
    }
}

__global__ void __launch_bounds__(SMALL_THREADS)
    positions_fill_kernel(int32_t* __restrict__ seq, int32_t* __restrict__ pos, int rows, int seq_value,
                          int start) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x) {
        seq[r] = seq_value;
        pos[r] = start + r;
    }
}

__global__ void __launch_bounds__(SMALL_THREADS) counters_advance_kernel(int32_t* __restrict__ v, int n, int by) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        v[i] += by;
    }
}

inline int small_grid(int n) {
    const int blocks = (n + SMALL_THREADS - 1) / SMALL_THREADS;
    return blocks < 1024 ? blocks : 1024;
}

}  // namespace

cudaError_t embed_rows(const __half* table, int vocab, int hidden, const int32_t* tokens, int rows, float* x,
                       cudaStream_t stream) {
    if (rows < 0 || hidden < 0 || vocab < 0) {
        return cudaErrorInvalidValue;
    }
    if (rows == 0 || hidden == 0) {
        return cudaSuccess;
    }
    const bool vec = hidden % 8 == 0 && aligned16(table) && aligned16(x);
    if (vec) {
        embed_rows_kernel<true><<<rows, EMBED_THREADS, 0, stream>>>(table, vocab, hidden, tokens, x);
    } else {
        embed_rows_kernel<false><<<rows, EMBED_THREADS, 0, stream>>>(table, vocab, hidden, tokens, x);
    }
    return cudaGetLastError();
}

cudaError_t rms_norm(const float* x, int ldx, const float* w, int rows, int dim, float eps, float* y, int ldy,
                     cudaStream_t stream) {
    if (rows < 0 || dim < 0 || ldx < dim || ldy < dim) {
        return cudaErrorInvalidValue;
    }
    if (rows == 0 || dim == 0) {
        return cudaSuccess;
    }
    const bool vec = dim % 4 == 0 && ldx % 4 == 0 && ldy % 4 == 0 && aligned16(x) && aligned16(y) && aligned16(w);
    if (vec) {
        rms_norm_kernel<true><<<rows, NORM_THREADS, 0, stream>>>(x, ldx, w, dim, eps, y, ldy);
    } else {
        rms_norm_kernel<false><<<rows, NORM_THREADS, 0, stream>>>(x, ldx, w, dim, eps, y, ldy);
    }
    return cudaGetLastError();
}

cudaError_t positions_fill(int32_t* seq, int32_t* pos, int rows, int seq_value, int start, cudaStream_t stream) {
    if (rows < 0) {
        return cudaErrorInvalidValue;
    }
    if (rows == 0) {
        return cudaSuccess;
    }
    positions_fill_kernel<<<small_grid(rows), SMALL_THREADS, 0, stream>>>(seq, pos, rows, seq_value, start);
    return cudaGetLastError();
}

cudaError_t counters_advance(int32_t* v, int n, int by, cudaStream_t stream) {
    if (n < 0) {
        return cudaErrorInvalidValue;
    }
    if (n == 0) {
        return cudaSuccess;
    }
    counters_advance_kernel<<<small_grid(n), SMALL_THREADS, 0, stream>>>(v, n, by);
    return cudaGetLastError();
}

}  // namespace rw
