// Next-token choice (arg-max and top-k sampling) and counter-based random fills.
//
// argmax_rows: one block per row; each thread scans its elements in increasing index order (float4 loads when the
// rows are 16-byte aligned) keeping the best (value, index) with ties to the lower index, then a warp and a block
// reduction with the same rule. NaN logits are never chosen.
//
// sample_top_k: one block of 1024 threads per row.
//  1. Radix select of the k-th largest logit on order-preserving 32-bit keys: four passes of 8 bits, each a
//     histogram (one per warp in shared memory) of the elements that still match the selected prefix, and a
//     warp-parallel search from the top digit. It yields the threshold key T and how many elements equal to T are
//     kept (the lowest indices, matching the CPU's stable sort by descending logit then index).
//  2. Ordered compaction: warp w owns a contiguous slice of the row; a counting pass and a block scan give each
//     warp its starting rank, a second pass writes the k (index, logit) candidates in increasing index order
//     using ballots.
//  3. Softmax of logit / temperature over the candidates in fp32, a block-wide inclusive scan, and an inverse-CDF
//     pick in index order (the CPU walks its probability vector the same way) with a uniform from SplitMix64 of
//     (seed, *step, row) (common/random.cuh).
//  k == 1 (or a non-positive temperature) is the arg-max kernel.
//
// fill_random_*: grid-stride loops; element i uses value i of the SplitMix64 stream of the seed, so the bytes do
// not depend on the launch shape.
#include "sampling.cuh"

#include "common/cuda_math.cuh"
#include "common/random.cuh"

namespace rw {
namespace {

constexpr int ARGMAX_THREADS = 1024;
constexpr int SAMPLE_THREADS = 1024;
constexpr int SAMPLE_WARPS = SAMPLE_THREADS / 32;
constexpr int SAMPLE_MAX_K = 1024;
constexpr int FILL_THREADS = 256;
constexpr int FILL_MAX_BLOCKS = 4096;

static_assert(SAMPLE_MAX_K <= SAMPLE_THREADS, "one candidate per thread in the softmax");

inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

template <bool VEC>
__global__ void __launch_bounds__(ARGMAX_THREADS)
    argmax_rows_kernel(const float* __restrict__ logits, int vocab, int32_t* __restrict__ out) {
    __shared__ float s_val[32];
    __shared__ int s_idx[32];
    const float* row = logits + (size_t)blockIdx.x * (size_t)vocab;
    float bv = -INFINITY;
    int bi = 0x7fffffff;
    if (VEC) {
        const int n4 = vocab >> 2;
        const float4* row4 = reinterpret_cast<const float4*>(row);
        for (int i = threadIdx.x; i < n4; i += blockDim.x) {
            const float4 v = __ldg(row4 + i);
            const int b = 4 * i;
            if (better_pair(v.x, b, bv, bi)) {
                bv = v.x;
                bi = b;
            }
            if (better_pair(v.y, b + 1, bv, bi)) {
                bv = v.y;
                bi = b + 1;
            }
            if (better_pair(v.z, b + 2, bv, bi)) {
                bv = v.z;
                bi = b + 2;
            }
            if (better_pair(v.w, b + 3, bv, bi)) {
                bv = v.w;
                bi = b + 3;
            }
        }
        for (int i = 4 * n4 + threadIdx.x; i < vocab; i += blockDim.x) {
            const float v = __ldg(row + i);
            if (better_pair(v, i, bv, bi)) {
                bv = v;
                bi = i;
            }
        }
    } else {
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            const float v = __ldg(row + i);
            if (better_pair(v, i, bv, bi)) {
                bv = v;
                bi = i;
            }
        }
    }
    warp_argmax(bv, bi);
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    if (lane == 0) {
        s_val[warp] = bv;
        s_idx[warp] = bi;
    }
    __syncthreads();
    if (warp == 0) {
        const int warps = (blockDim.x + 31) >> 5;
        bv = lane < warps ? s_val[lane] : -INFINITY;
        bi = lane < warps ? s_idx[lane] : 0x7fffffff;
        warp_argmax(bv, bi);
        if (lane == 0) {
            out[blockIdx.x] = bi == 0x7fffffff ? 0 : bi;  // a row of NaNs gives 0, as the CPU sampler
        }
    }
}

// Order-preserving key: a > b as floats (with -0 < +0) iff key(a) > key(b). NaN maps to the lowest key.
__device__ __forceinline__ uint32_t order_key(float v) {
    const uint32_t b = __float_as_uint(v);
    if (v != v) {
        return 0u;
    }
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

struct SampleShared {
    int hist[SAMPLE_WARPS][256];
    int total[256];
    int cand_idx[SAMPLE_MAX_K];
    float cand_val[SAMPLE_MAX_K];
    int warp_gt[SAMPLE_WARPS];
    int warp_eq[SAMPLE_WARPS];
    float scratch[32];
    float total_p;
    int digit;
    int remaining;
    int pick;
    int last;
};

template <bool VEC>
__global__ void __launch_bounds__(SAMPLE_THREADS)
    sample_top_k_kernel(const float* __restrict__ logits, int vocab, int k, float temperature, uint64_t seed,
                        const int32_t* __restrict__ step, int32_t* __restrict__ out) {
    __shared__ SampleShared sh;
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const float* row = logits + (size_t)blockIdx.x * (size_t)vocab;

    // 1. radix select of the k-th largest key
    uint32_t prefix = 0u;
    uint32_t pmask = 0u;
    int remaining = k;
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int i = tid; i < SAMPLE_WARPS * 256; i += SAMPLE_THREADS) {
            (&sh.hist[0][0])[i] = 0;
        }
        __syncthreads();
        int* hist = sh.hist[warp];
        if (VEC) {
            const int n4 = vocab >> 2;
            const float4* row4 = reinterpret_cast<const float4*>(row);
            for (int i = tid; i < n4; i += SAMPLE_THREADS) {
                const float4 v = __ldg(row4 + i);
                const uint32_t k0 = order_key(v.x);
                const uint32_t k1 = order_key(v.y);
                const uint32_t k2 = order_key(v.z);
                const uint32_t k3 = order_key(v.w);
                if ((k0 & pmask) == prefix) {
                    atomicAdd(&hist[(k0 >> shift) & 255u], 1);
                }
                if ((k1 & pmask) == prefix) {
                    atomicAdd(&hist[(k1 >> shift) & 255u], 1);
                }
                if ((k2 & pmask) == prefix) {
                    atomicAdd(&hist[(k2 >> shift) & 255u], 1);
                }
                if ((k3 & pmask) == prefix) {
                    atomicAdd(&hist[(k3 >> shift) & 255u], 1);
                }
            }
            for (int i = 4 * n4 + tid; i < vocab; i += SAMPLE_THREADS) {
                const uint32_t key = order_key(__ldg(row + i));
                if ((key & pmask) == prefix) {
                    atomicAdd(&hist[(key >> shift) & 255u], 1);
                }
            }
        } else {
            for (int i = tid; i < vocab; i += SAMPLE_THREADS) {
                const uint32_t key = order_key(__ldg(row + i));
                if ((key & pmask) == prefix) {
                    atomicAdd(&hist[(key >> shift) & 255u], 1);
                }
            }
        }
        __syncthreads();
        if (tid < 256) {
            int c = 0;
            for (int w = 0; w < SAMPLE_WARPS; ++w) {
                c += sh.hist[w][tid];
            }
            sh.total[tid] = c;
        }
        __syncthreads();
        if (warp == 0) {
            // Lane l owns digits 8l .. 8l+7. Find the digit d where the count of larger digits is below
            // `remaining` and the count including d reaches it.
            int local = 0;
#pragma unroll
            for (int b = 0; b < 8; ++b) {
                local += sh.total[8 * lane + b];
            }
            int incl = local;  // sum over lanes >= this one
#pragma unroll
            for (int o = 1; o < 32; o <<= 1) {
                const int t = __shfl_down_sync(FULL_MASK, incl, o);
                if (lane + o < 32) {
                    incl += t;
                }
            }
            const int above = incl - local;
            const unsigned hit = __ballot_sync(FULL_MASK, above < remaining && remaining <= incl);
            const int src = hit ? __ffs(hit) - 1 : 0;
            if (lane == src) {
                int acc = above;
                int digit = 8 * lane;
                int rem = remaining - above;
                for (int b = 7; b >= 0; --b) {
                    const int c = sh.total[8 * lane + b];
                    if (acc + c >= remaining) {
                        digit = 8 * lane + b;
                        rem = remaining - acc;
                        break;
                    }
                    acc += c;
                }
                sh.digit = digit;
                sh.remaining = rem;
            }
        }
        __syncthreads();
        prefix |= (uint32_t)sh.digit << shift;
        pmask |= 255u << shift;
        remaining = sh.remaining;
        __syncthreads();  // sh.digit / sh.remaining / hist are rewritten by the next pass
    }
    const uint32_t threshold = prefix;
    const int need_eq = remaining;  // elements equal to the threshold that are kept (the lowest indices)

    // 2. ordered compaction of the k candidates
    const int span = ((vocab + SAMPLE_WARPS - 1) / SAMPLE_WARPS + 31) & ~31;
    const int lo = min(vocab, warp * span);
    const int hi = min(vocab, lo + span);
    {
        int gt = 0;
        int eq = 0;
        for (int base = lo; base < hi; base += 32) {
            const int i = base + lane;
            const uint32_t key = i < hi ? order_key(__ldg(row + i)) : 0u;
            gt += __popc(__ballot_sync(FULL_MASK, i < hi && key > threshold));
            eq += __popc(__ballot_sync(FULL_MASK, i < hi && key == threshold));
        }
        if (lane == 0) {
            sh.warp_gt[warp] = gt;
            sh.warp_eq[warp] = eq;
        }
    }
    __syncthreads();
    if (warp == 0) {
        const int g = sh.warp_gt[lane];
        const int e = sh.warp_eq[lane];
        int gi = g;
        int ei = e;
#pragma unroll
        for (int o = 1; o < 32; o <<= 1) {
            const int tg = __shfl_up_sync(FULL_MASK, gi, o);
            const int te = __shfl_up_sync(FULL_MASK, ei, o);
            if (lane >= o) {
                gi += tg;
                ei += te;
            }
        }
        sh.warp_gt[lane] = gi - g;  // exclusive
        sh.warp_eq[lane] = ei - e;
    }
    __syncthreads();
    {
        int gt_before = sh.warp_gt[warp];
        int eq_before = sh.warp_eq[warp];
        const unsigned lt = lanemask_lt();
        for (int base = lo; base < hi; base += 32) {
            const int i = base + lane;
            const float v = i < hi ? __ldg(row + i) : 0.f;
            const uint32_t key = i < hi ? order_key(v) : 0u;
            const bool is_gt = i < hi && key > threshold;
            const bool is_eq = i < hi && key == threshold;
            const unsigned bg = __ballot_sync(FULL_MASK, is_gt);
            const unsigned be = __ballot_sync(FULL_MASK, is_eq);
            const int g_rank = gt_before + __popc(bg & lt);
            const int e_rank = eq_before + __popc(be & lt);
            if (is_gt || (is_eq && e_rank < need_eq)) {
                const int p = g_rank + min(e_rank, need_eq);
                sh.cand_idx[p] = i;
                sh.cand_val[p] = v;
            }
            gt_before += __popc(bg);
            eq_before += __popc(be);
        }
    }
    if (tid == 0) {
        sh.pick = 0x7fffffff;
        sh.last = -1;
    }
    __syncthreads();

    // 3. softmax over the candidates, inverse CDF in index order
    const bool mine = tid < k;
    const float v = mine ? sh.cand_val[tid] : -INFINITY;
    const float vmax = block_max(v == v ? v : -INFINITY, sh.scratch);
    float p = 0.f;
    if (mine) {
        p = expf(v / temperature - vmax / temperature);
        if (!(p >= 0.f)) {
            p = 0.f;  // NaN or -inf - -inf
        }
    }
    float incl = warp_inclusive_sum(p);
    __syncthreads();  // block_max is done with scratch
    if (lane == 31) {
        sh.scratch[warp] = incl;
    }
    __syncthreads();
    if (warp == 0) {
        const float t = sh.scratch[lane];
        const float ti = warp_inclusive_sum(t);
        sh.scratch[lane] = ti - t;  // exclusive warp offsets
    }
    __syncthreads();
    incl += sh.scratch[warp];
    if (tid == k - 1) {
        sh.total_p = incl;
    }
    __syncthreads();
    const float total = sh.total_p;
    const uint32_t step_value = step != nullptr ? (uint32_t)*step : 0u;
    const float u = sampling_uniform(seed, step_value, (uint32_t)blockIdx.x);
    const float target = u * total;
    if (mine && incl > target) {
        atomicMin(&sh.pick, tid);
    }
    if (mine && p > 0.f) {
        atomicMax(&sh.last, tid);
    }
    __syncthreads();
    if (tid == 0) {
        const int j = sh.pick != 0x7fffffff ? sh.pick : sh.last >= 0 ? sh.last : 0;
        out[blockIdx.x] = sh.cand_idx[j];
    }
}

__global__ void __launch_bounds__(FILL_THREADS) fill_random_bits_kernel(uint32_t* __restrict__ p, size_t n,
                                                                         uint64_t seed) {
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        p[i] = (uint32_t)(splitmix64_at(seed, i) >> 32);
    }
}

__global__ void __launch_bounds__(FILL_THREADS) fill_random_half_kernel(__half* __restrict__ p, size_t n, float lo,
                                                                         float hi, uint64_t seed) {
    const float range = hi - lo;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        p[i] = __float2half_rn(fmaf(range, uniform_from_bits(splitmix64_at(seed, i)), lo));
    }
}

__global__ void __launch_bounds__(FILL_THREADS)
    fill_random_scale_zero_kernel(__half2* __restrict__ p, size_t n, float lo, float hi, uint32_t zeros,
                                  uint64_t seed) {
    const float range = hi - lo;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const uint64_t h = splitmix64_at(seed, i);
        const float scale = fmaf(range, uniform_from_bits(h), lo);
        const uint32_t zero = (uint32_t)h % zeros;  // low 32 bits; the scale uses the top 24
        p[i] = __halves2half2(__float2half_rn(scale), __float2half_rn(1024.f + (float)zero));
    }
}

inline unsigned fill_grid(size_t n) {
    const size_t blocks = (n + FILL_THREADS - 1) / FILL_THREADS;
    return (unsigned)(blocks < (size_t)FILL_MAX_BLOCKS ? blocks : (size_t)FILL_MAX_BLOCKS);
}

}  // namespace

cudaError_t argmax_rows(const float* logits, int rows, int vocab, int32_t* out, cudaStream_t stream) {
    if (rows < 0 || vocab <= 0) {
        return cudaErrorInvalidValue;
    }
    if (rows == 0) {
        return cudaSuccess;
    }
    const bool vec = vocab % 4 == 0 && aligned16(logits);
    const int threads = vocab >= 16384 ? ARGMAX_THREADS : 256;
    if (vec) {
        argmax_rows_kernel<true><<<rows, threads, 0, stream>>>(logits, vocab, out);
    } else {
        argmax_rows_kernel<false><<<rows, threads, 0, stream>>>(logits, vocab, out);
    }
    return cudaGetLastError();
}

cudaError_t sample_top_k(const float* logits, int rows, int vocab, int k, float temperature, uint64_t seed,
                         const int32_t* step, int32_t* out, cudaStream_t stream) {
    if (rows < 0 || vocab <= 0 || k < 1 || k > SAMPLE_MAX_K) {
        return cudaErrorInvalidValue;
    }
    if (k > vocab) {
        k = vocab;
    }
    if (k == 1 || !(temperature > 0.f)) {
        return argmax_rows(logits, rows, vocab, out, stream);
    }
    if (rows == 0) {
        return cudaSuccess;
    }
    const bool vec = vocab % 4 == 0 && aligned16(logits);
    if (vec) {
        sample_top_k_kernel<true><<<rows, SAMPLE_THREADS, 0, stream>>>(logits, vocab, k, temperature, seed, step, out);
    } else {
        sample_top_k_kernel<false><<<rows, SAMPLE_THREADS, 0, stream>>>(logits, vocab, k, temperature, seed, step,
                                                                        out);
    }
    return cudaGetLastError();
}

cudaError_t fill_random_bits(uint32_t* p, size_t words, uint64_t seed, cudaStream_t stream) {
    if (words == 0) {
        return cudaSuccess;
    }
    fill_random_bits_kernel<<<fill_grid(words), FILL_THREADS, 0, stream>>>(p, words, seed);
    return cudaGetLastError();
}

cudaError_t fill_random_half(__half* p, size_t n, float lo, float hi, uint64_t seed, cudaStream_t stream) {
    if (n == 0) {
        return cudaSuccess;
    }
    fill_random_half_kernel<<<fill_grid(n), FILL_THREADS, 0, stream>>>(p, n, lo, hi, seed);
    return cudaGetLastError();
}

cudaError_t fill_random_scale_zero(__half2* p, size_t n, float lo, float hi, int max_zero, uint64_t seed,
                                   cudaStream_t stream) {
    if (max_zero < 0 || max_zero > 1023) {
        return cudaErrorInvalidValue;
    }
    if (n == 0) {
        return cudaSuccess;
    }
    fill_random_scale_zero_kernel<<<fill_grid(n), FILL_THREADS, 0, stream>>>(p, n, lo, hi, (uint32_t)max_zero + 1u,
                                                                             seed);
    return cudaGetLastError();
}

}  // namespace rw
