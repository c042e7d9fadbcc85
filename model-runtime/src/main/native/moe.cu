// Mixtral routing: softmax over the router logits, top-k, renormalisation, and a stable grouping of the
// assignments by expert, all on the device in one launcher call.
//
// Design: routing is warp-per-row. Each lane holds two experts (so experts <= 64); the softmax uses a warp max and
// sum, exp computed as (float) exp((double) (logit - max)) like the CPU backend; the top-k is k rounds of a warp
// arg-max over (probability, expert) with ties to the lower expert, and lane 0 renormalises in the CPU's order.
// The grouping is a counting sort done by a single block of 1024 threads: an expert histogram in shared memory,
// an exclusive scan into expert_offset, then the assignments a = r * topk + k are walked in chunks of 1024 in
// increasing order; inside a chunk __match_any_sync ranks equal experts within a warp and a per-expert scan over
// the 32 warps orders the warps, which keeps the sort stable (ascending a inside each expert). Up to
// MOE_FUSED_MAX_ROWS rows, routing and grouping run in one kernel (the decode case: one launch); beyond that a
// many-block routing kernel is followed by the single-block grouping kernel. No host synchronisation, no
// allocation.
#include "moe.cuh"

#include "common/cuda_math.cuh"

namespace rw {
namespace {

constexpr int MOE_MAX_EXPERTS = 64;
constexpr int MOE_MAX_TOPK = 8;
constexpr int ROUTE_THREADS = 256;            // 8 rows per block
constexpr int SORT_THREADS = 1024;
constexpr int SORT_WARPS = SORT_THREADS / 32;
constexpr int MOE_FUSED_MAX_ROWS = 64;

// One warp routes row r.
__device__ __forceinline__ void route_row(const float* __restrict__ logits, int r, int experts, int topk,
                                          int32_t* __restrict__ topk_ids, float* __restrict__ topk_weight) {
    const int lane = threadIdx.x & 31;
    const int e0 = lane;
    const int e1 = lane + 32;
    const float* row = logits + (size_t)r * (size_t)experts;
    const bool has0 = e0 < experts;
    const bool has1 = e1 < experts;
    const float l0 = has0 ? row[e0] : -INFINITY;
    const float l1 = has1 ? row[e1] : -INFINITY;
    const float mx = warp_max(fmaxf(l0, l1));
    float p0 = has0 ? (float)exp((double)(l0 - mx)) : 0.f;
    float p1 = has1 ? (float)exp((double)(l1 - mx)) : 0.f;
    const float sum = warp_sum(p0 + p1);
    p0 /= sum;
    p1 /= sum;
    bool taken0 = !has0;
    bool taken1 = !has1;
    float chosen_p[MOE_MAX_TOPK];
    int chosen_e[MOE_MAX_TOPK];
#pragma unroll
    for (int j = 0; j < MOE_MAX_TOPK; ++j) {
        chosen_p[j] = 0.f;
        chosen_e[j] = 0;
        if (j < topk) {
            // The lane's best untaken candidate (e0 < e1, so e0 wins ties), then the warp's.
            float bv = -INFINITY;
            int be = 0x7fffffff;
            if (!taken0) {
                bv = p0;
                be = e0;
            }
            if (!taken1 && better_pair(p1, e1, bv, be)) {
                bv = p1;
                be = e1;
            }
            warp_argmax(bv, be);
            taken0 = taken0 || be == e0;
            taken1 = taken1 || be == e1;
            chosen_p[j] = bv;
            chosen_e[j] = be;
        }
    }
    if (lane == 0) {
        float chosen_sum = 0.f;
#pragma unroll
        for (int j = 0; j < MOE_MAX_TOPK; ++j) {
            if (j < topk) {
                chosen_sum += chosen_p[j];
            }
        }
#pragma unroll
        for (int j = 0; j < MOE_MAX_TOPK; ++j) {
            if (j < topk) {
                topk_ids[(size_t)r * topk + j] = chosen_e[j];
                topk_weight[(size_t)r * topk + j] = chosen_p[j] / chosen_sum;
            }
        }
    }
}

struct SortShared {
    int total[MOE_MAX_EXPERTS];                   // histogram
    int next[MOE_MAX_EXPERTS];                    // next free slot of each expert
    int warp_count[SORT_WARPS][MOE_MAX_EXPERTS];  // per chunk: counts, then absolute warp start positions
};

// Stable counting sort of the n assignments by expert; the whole block (SORT_THREADS threads) calls it after
// topk_ids is complete and visible to it.
__device__ __forceinline__ void sort_assignments(const int32_t* topk_ids, int n, int experts,
                                                 int32_t* __restrict__ expert_offset,
                                                 int32_t* __restrict__ sorted_assign, SortShared& sh) {
    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    for (int i = tid; i < SORT_WARPS * MOE_MAX_EXPERTS; i += SORT_THREADS) {
        (&sh.warp_count[0][0])[i] = 0;
    }
    if (tid < MOE_MAX_EXPERTS) {
        sh.total[tid] = 0;
    }
    __syncthreads();
    for (int a = tid; a < n; a += SORT_THREADS) {
        atomicAdd(&sh.total[topk_ids[a]], 1);
    }
    __syncthreads();
    if (tid == 0) {
        int run = 0;
        for (int e = 0; e < experts; ++e) {
            expert_offset[e] = run;
            sh.next[e] = run;
            run += sh.total[e];
        }
        expert_offset[experts] = run;
    }
    __syncthreads();
    for (int c0 = 0; c0 < n; c0 += SORT_THREADS) {
        const int a = c0 + tid;
        const bool valid = a < n;
        const int e = valid ? (int)topk_ids[a] : -1;
        const unsigned peers = __match_any_sync(FULL_MASK, e);
        const unsigned below = peers & lanemask_lt();
        const int rank = __popc(below);
        if (valid && below == 0) {
            sh.warp_count[warp][e] = __popc(peers);
        }
        __syncthreads();
        if (tid < experts) {
            int run = sh.next[tid];
            for (int w = 0; w < SORT_WARPS; ++w) {
                const int c = sh.warp_count[w][tid];
                sh.warp_count[w][tid] = run;  // where warp w's assignments of this expert start
                run += c;
            }
            sh.next[tid] = run;
        }
        __syncthreads();
        if (valid) {
            sorted_assign[sh.warp_count[warp][e] + rank] = a;
        }
        __syncthreads();
        if (tid < experts) {
            for (int w = 0; w < SORT_WARPS; ++w) {
                sh.warp_count[w][tid] = 0;
            }
        }
        __syncthreads();
    }
}

__global__ void __launch_bounds__(ROUTE_THREADS)
    moe_route_kernel(const float* __restrict__ logits, int rows, int experts, int topk, int32_t* __restrict__ topk_ids,
                     float* __restrict__ topk_weight) {
    const int r = blockIdx.x * (ROUTE_THREADS / 32) + (threadIdx.x >> 5);
    if (r < rows) {  // uniform over the warp
        route_row(logits, r, experts, topk, topk_ids, topk_weight);
    }
}

__global__ void __launch_bounds__(SORT_THREADS)
    moe_sort_kernel(const int32_t* topk_ids, int n, int experts, int32_t* __restrict__ expert_offset,
                    int32_t* __restrict__ sorted_assign) {
    __shared__ SortShared sh;
    sort_assignments(topk_ids, n, experts, expert_offset, sorted_assign, sh);
}

__global__ void __launch_bounds__(SORT_THREADS)
    moe_route_sort_kernel(const float* __restrict__ logits, int rows, int experts, int topk, int32_t* topk_ids,
                          float* __restrict__ topk_weight, int32_t* __restrict__ expert_offset,
                          int32_t* __restrict__ sorted_assign) {
    __shared__ SortShared sh;
    for (int r = threadIdx.x >> 5; r < rows; r += SORT_WARPS) {
        route_row(logits, r, experts, topk, topk_ids, topk_weight);
    }
    __syncthreads();  // makes this block's topk_ids writes visible to the whole block
    sort_assignments(topk_ids, rows * topk, experts, expert_offset, sorted_assign, sh);
}

}  // namespace

cudaError_t moe_route(const float* logits, int rows, int experts, int topk, int32_t* topk_ids, float* topk_weight,
                      int32_t* expert_offset, int32_t* sorted_assign, cudaStream_t stream) {
    if (rows < 0 || experts <= 0 || experts > MOE_MAX_EXPERTS || topk <= 0 || topk > MOE_MAX_TOPK ||
        topk > experts || (long long)rows * topk > 0x7fffffffLL - SORT_THREADS) {
        return cudaErrorInvalidValue;
    }
    if (rows <= MOE_FUSED_MAX_ROWS) {
        // rows == 0 still writes the (all-zero) offsets, so consumers read a consistent table.
        moe_route_sort_kernel<<<1, SORT_THREADS, 0, stream>>>(logits, rows, experts, topk, topk_ids, topk_weight,
                                                              expert_offset, sorted_assign);
    } else {
        const int per_block = ROUTE_THREADS / 32;
        moe_route_kernel<<<(rows + per_block - 1) / per_block, ROUTE_THREADS, 0, stream>>>(logits, rows, experts, topk,
                                                                                           topk_ids, topk_weight);
        moe_sort_kernel<<<1, SORT_THREADS, 0, stream>>>(topk_ids, rows * topk, experts, expert_offset,
                                                        sorted_assign);
    }
    return cudaGetLastError();
}

}  // namespace rw
