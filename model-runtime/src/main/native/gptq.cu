// Linear layers on the device: rw::linear_forward (gptq.cuh) for the GPU GPTQ layout and dense fp16 matrices.
//
// Design
// ------
// A launch covers experts x nmat matrices (grid z = expert * nmat + matrix); the blocks of an expert without tasks
// and the column tiles beyond a matrix's out_features return at once. Tasks, their tokens and weights are read from
// device memory (routing offsets written by the router), so nothing here synchronises with the host, allocates, or
// depends on data the host does not know; everything is captured into CUDA graphs as it is.
//
// Decode (at most 16 tasks per expert): split-K GEMV, memory bound, so the aim is to stream every weight byte from
// DRAM exactly once per launch with many independent loads in flight.
//  * GPTQ: 256 threads, one output column per thread, 256 columns per block; a warp reads 32 consecutive columns, i.e.
//    for 4 bits one uint4 per lane = 512 contiguous bytes per 32-slot block (3 bits: three words, 2 bits: a uint2,
//    8 bits: two uint4). Grid (column tiles, K splits, experts * nmat): each block owns the K-blocks
//    [split * blocks / splits, (split + 1) * blocks / splits) of one matrix's column tile and runs ALL tasks of its
//    expert through them, 8 task rows per pass (one template instance per row count, so the row loop is unrolled and
//    the accumulators live in registers). Per chunk of up to 32 K-blocks the activations of those slots are gathered
//    (slot_input; -1 gives 0; SiLU(gate) * up computed here in fp32 for INPUT_SILU_MUL) into shared memory as fp16,
//    in the pair order of the dequantiser, so that one broadcast ld.shared.v4 feeds four half2 FMAs. Each thread
//    keeps U K-blocks of loads in flight (U = 64..128 bytes per thread), dequantises with the magic-number trick
//    ((q | 0x6400) - (1024 + zero), exact), multiplies by the activations in half2 with a flush to fp32 after every
//    8 products (4 per half lane; 8-bit weights use fp32 products, since q - zero reaches 255), applies the group
//    scale in fp32 once per block and accumulates per column in fp32. The partial sums go to y with atomicAdd; the
//    split whose range starts at K-block 0 adds the bias. The split count is chosen on the host so that the grid
//    holds about 4 blocks per SM (two waves of two resident 256-thread blocks) while every split keeps at least 8
//    K-blocks (more splits only add atomics).
//  * Dense fp16 (lm_head, router): 8 warps x 4 output rows per block; each lane reads 16 bytes of a row per step (a
//    warp streams 512 contiguous bytes), activations staged as fp16 in shared memory in chunks of 1024 inputs, the
//    same half2-then-fp32 accumulation, a warp shuffle reduction, split-K over the inputs like the GPTQ GEMV.
//
// Prefill (more than 16 tasks per expert): tensor-core GEMM with mma.sync m16n8k16 (fp16 in, fp32 accumulate).
//  * Tile 64 task rows x 128 output columns x 32 slots (one GPTQ block, hence one group: the scale is applied while
//    dequantising), 256 threads = 8 warps as 2 x 4, each warp 32 x 32 (2 x 4 MMA tiles, ldmatrix fragments).
//  * Per K-step each thread loads into registers its share of the next tile while the tensor cores work on the
//    current one: 8 gathered activations (task -> token row, slot_input) and half a column of packed weights plus
//    its scale_zero; it then converts the activations to fp16 and dequantises the weights to fp16
//    (scale * (q - zero), one rounding) into the other of two shared-memory buffers: one __syncthreads per K-step.
//    (cp.async does not apply: both operands are transformed on the way to shared memory.)
//  * Grid (column tiles, task tiles x K splits, experts * nmat); task tiles beyond an expert's task count return.
//    K splits are used only when the tiles alone do not fill the GPU (short prompts); results are added with
//    atomicAdd, the bias by split 0. Dense fp16 matrices use the same kernel with plain 16-byte weight loads.
//
// Numerics (what tests can assume; u = 2^-11, the fp16 unit roundoff): activations are rounded to fp16 before use
// (inputs outside +-65504 become infinite); the GEMV forms (q - zero) * x in fp16 and adds 4 such products per half
// lane in fp16 before converting to fp32 (8-bit weights: fp32 products); the GEMM rounds scale * (q - zero) to fp16
// and accumulates on the tensor cores in fp32; group scales, bias, routing weights and all longer sums are fp32.
// Error bound per output element, against an exact evaluation of the same dequantised weights (W = scale * (q -
// zero) with the fp16 scale) on the fp32 inputs: about 5u * sum_i |W_i x_i| for the GEMV and 2u * sum_i |W_i x_i| for
// the GEMM (2.5e-3 and 1e-3); typical errors are ten times smaller: relative L2 of an output row 2e-4 .. 5e-4 for
// random data. Suggested test tolerances: |err| <= 3e-3 * sum_i |W_i x_i| + 1e-5 per element, relative L2 <= 2e-3.
// Range: a GEMV half lane sums 4 products (q - zero) * x in fp16, so with |q - zero| <= 15 (4-bit) it can overflow
// only where the 4 activations of one half lane add up to more than 65504 / 15 = 4367 in magnitude.
// The split-K atomics make results depend on the order of the fp32 additions: repeated runs may differ in the last
// bits.
#include "gptq.cuh"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cuda_fp16.h>

#include "common/dequant.cuh"
#include "common/mma.cuh"

namespace rw {
namespace {

// ------------------------------------------------------------------------------------------------------------------
// Tasks
// ------------------------------------------------------------------------------------------------------------------

struct Tasks {
    int begin;  // first index into sorted_assign (routing) or first row
    int count;
};

__device__ __forceinline__ Tasks expert_tasks(const LinearBatch& b, int expert) {
    if (b.expert_offset != nullptr) {
        const int s = __ldg(b.expert_offset + expert);
        return {s, __ldg(b.expert_offset + expert + 1) - s};
    }
    return {0, expert == 0 ? b.rows : 0};
}

struct TaskRow {
    long long xoff;  // offset of the task's input row in x
    long long yoff;  // offset of the matrix's first output in the task's output row of y
    float weight;    // factor applied to results (and bias)
};

// Task number `idx` of the expert's list (an index into sorted_assign with routing, a row without).
__device__ __forceinline__ TaskRow task_row(const LinearBatch& b, int idx, int y_col_offset) {
    int task;
    int token;
    float weight = 1.0f;
    if (b.expert_offset != nullptr) {
        task = __ldg(b.sorted_assign + idx);
        token = task / b.topk;
        if (b.output_mode == OUTPUT_TOKEN_WEIGHTED) {
            weight = __ldg(b.assign_weight + task);
        }
    } else {
        task = idx;
        token = idx;
    }
    const int xrow = b.input_mode == INPUT_SILU_MUL ? task : token;
    const int yrow = b.output_mode == OUTPUT_TOKEN_WEIGHTED ? token : task;
    return {static_cast<long long>(xrow) * b.ldx, static_cast<long long>(yrow) * b.ldy + y_col_offset, weight};
}

__device__ __forceinline__ float silu(float v) { return v / (1.0f + __expf(-v)); }

// Input i of the task whose row starts at x + xoff.
__device__ __forceinline__ float input_value(const float* x, long long xoff, int i, int in, bool silu_mul) {
    if (silu_mul) {
        return silu(__ldg(x + xoff + i)) * __ldg(x + xoff + in + i);
    }
    return __ldg(x + xoff + i);
}

// Start of split s of n units cut into `splits` near-equal ranges.
__device__ __forceinline__ int split_begin(int s, int splits, int n) {
    return static_cast<int>(static_cast<long long>(s) * n / splits);
}

// ------------------------------------------------------------------------------------------------------------------
// GPTQ GEMV (decode)
// ------------------------------------------------------------------------------------------------------------------

constexpr int kGemvThreads = 256;
constexpr int kGemvCols = 256;                 // one column per thread
constexpr int kGemvRowsPerPass = 8;            // task rows per pass
constexpr int kGemvChunk = 32;                 // K-blocks staged in shared memory at once
constexpr int kActStride = kGemvChunk * 32;    // halves per staged row
constexpr int kGemvMinBlocksPerSplit = 8;

// K-blocks with loads in flight per thread: about 64 bytes (128 for one or two rows, where registers are plenty).
__host__ __device__ constexpr int gemv_unroll(int bits, int rows) {
    const int u = (rows <= 2 ? 128 : 64) / (4 * bits);
    return u < 2 ? 2 : (u > 8 ? 8 : u);
}

template <int BITS>
struct QWords {
    uint32_t w[BITS];
};

template <int BITS>
__device__ __forceinline__ QWords<BITS> load_qwords(const uint32_t* p) {
    QWords<BITS> q;
    if constexpr (BITS == 4) {
        const uint4 v = dq::ld_stream_u4(p);
        q.w[0] = v.x;
        q.w[1] = v.y;
        q.w[2] = v.z;
        q.w[3] = v.w;
    } else if constexpr (BITS == 8) {
        const uint4 v0 = __ldg(reinterpret_cast<const uint4*>(p));
        const uint4 v1 = __ldg(reinterpret_cast<const uint4*>(p) + 1);
        q.w[0] = v0.x;
        q.w[1] = v0.y;
        q.w[2] = v0.z;
        q.w[3] = v0.w;
        q.w[4] = v1.x;
        q.w[5] = v1.y;
        q.w[6] = v1.z;
        q.w[7] = v1.w;
    } else if constexpr (BITS == 2) {
        const uint2 v = dq::ld_stream_u2(p);
        q.w[0] = v.x;
        q.w[1] = v.y;
    } else {
        static_assert(BITS == 3, "bits must be 2, 3, 4 or 8");
        q.w[0] = __ldg(p);
        q.w[1] = __ldg(p + 1);
        q.w[2] = __ldg(p + 2);
    }
    return q;
}

// Position of slot s (0..31) of a block in the staged activations: pair P of block_pairs holds the slots at
// positions 2P and 2P+1. 4 and 8 bits pair consecutive slots; 2 and 3 bits pair slot i with slot i+8 of each half.
template <int BITS>
__device__ __forceinline__ int stage_pos(int s) {
    if constexpr (BITS == 2 || BITS == 3) {
        return (s & 16) | ((s & 7) << 1) | ((s >> 3) & 1);
    } else {
        return s;
    }
}

// The 16 pairs (q - zero, exact in fp16) of one block and column, in staging order.
template <int BITS>
__device__ __forceinline__ void block_pairs(const QWords<BITS>& q, __half2 z2, __half2 (&p)[16]) {
    if constexpr (BITS == 4) {
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            dq::magic4(q.w[j], p, 4 * j);
        }
    } else if constexpr (BITS == 8) {
#pragma unroll
        for (int j = 0; j < 8; ++j) {
            dq::magic8(q.w[j], p, 2 * j);
        }
    } else if constexpr (BITS == 2) {
        dq::magic2(q.w[0], p, 0);
        dq::magic2(q.w[1], p, 8);
    } else {
        dq::magic3(q.w[0], q.w[2], p, 0);
        dq::magic3(q.w[1], q.w[2] >> 16, p, 8);
    }
#pragma unroll
    for (int i = 0; i < 16; ++i) {
        p[i] = __hsub2(p[i], z2);
    }
}

// acc[r] += scale * sum over the block's 32 slots of (q - zero) * x[r][slot]; act: the block's staged row 0.
template <int BITS, int R>
__device__ __forceinline__ void gemv_block_dot(const QWords<BITS>& q, __half2 sz, const __half* act,
                                               float (&acc)[R]) {
    const float scale = __low2float(sz);
    __half2 p[16];
    block_pairs<BITS>(q, __high2half2(sz), p);
    if constexpr (BITS == 8) {
        // |q - zero| up to 255: products in fp32
        float2 wf[16];
#pragma unroll
        for (int i = 0; i < 16; ++i) {
            wf[i] = __half22float2(p[i]);
        }
#pragma unroll
        for (int r = 0; r < R; ++r) {
            const uint4* a4 = reinterpret_cast<const uint4*>(act + r * kActStride);
            float s0 = 0.0f;
            float s1 = 0.0f;
#pragma unroll
            for (int c = 0; c < 4; ++c) {
                const uint4 av = a4[c];
                const uint32_t aw[4] = {av.x, av.y, av.z, av.w};
#pragma unroll
                for (int k = 0; k < 4; ++k) {
                    const float2 af = __half22float2(dq::h2_bits(aw[k]));
                    s0 = fmaf(wf[4 * c + k].x, af.x, s0);
                    s1 = fmaf(wf[4 * c + k].y, af.y, s1);
                }
            }
            acc[r] = fmaf(scale, s0 + s1, acc[r]);
        }
    } else {
#pragma unroll
        for (int r = 0; r < R; ++r) {
            const uint4* a4 = reinterpret_cast<const uint4*>(act + r * kActStride);
            float s = 0.0f;
#pragma unroll
            for (int c = 0; c < 4; ++c) {
                const uint4 av = a4[c];
                __half2 h = __hmul2(p[4 * c], dq::h2_bits(av.x));
                h = __hfma2(p[4 * c + 1], dq::h2_bits(av.y), h);
                h = __hfma2(p[4 * c + 2], dq::h2_bits(av.z), h);
                h = __hfma2(p[4 * c + 3], dq::h2_bits(av.w), h);
                const float2 f = __half22float2(h);  // flush after 8 products
                s += f.x + f.y;
            }
            acc[r] = fmaf(scale, s, acc[r]);
        }
    }
}

struct GemvShared {
    __half* act;
    int* group;
    long long* xoff;
    long long* yoff;
    float* weight;
};

struct GptqGemvArgs {
    const uint32_t* qcol;     // qweight + column * bits
    const __half2* sz_col;    // scale_zero + column
    const int32_t* block_group;
    const int32_t* slot_input;
    const float* bias;
    size_t kb_stride;         // words from one block to the next: out * bits
    int out;
    int in;
    int column;
    int kb0;
    int kb1;
    bool valid;               // column < out
    bool add_bias;            // this split adds the bias
};

// One pass of R task rows (their TaskRows already in shared memory) over the block's K range.
template <int BITS, int R>
__device__ __forceinline__ void gemv_gptq_pass(const LinearBatch& b, const GptqGemvArgs& a, const GemvShared& sh) {
    constexpr int U = gemv_unroll(BITS, R);
    float acc[R];
#pragma unroll
    for (int r = 0; r < R; ++r) {
        acc[r] = 0.0f;
    }
    const bool silu_mul = b.input_mode == INPUT_SILU_MUL;
    for (int c0 = a.kb0; c0 < a.kb1; c0 += kGemvChunk) {
        const int nkb = min(kGemvChunk, a.kb1 - c0);
        // stage the chunk's activations (fp16, dequantiser pair order) and groups
        const int nslots = nkb * 32;
        const int32_t* sin = a.slot_input + static_cast<size_t>(c0) * 32;
        for (int idx = threadIdx.x; idx < nslots; idx += kGemvThreads) {
            const int i = __ldg(sin + idx);
            const int dst = (idx & ~31) | stage_pos<BITS>(idx & 31);
#pragma unroll
            for (int r = 0; r < R; ++r) {
                const float v = i >= 0 ? input_value(b.x, sh.xoff[r], i, a.in, silu_mul) : 0.0f;
                sh.act[r * kActStride + dst] = __float2half_rn(v);
            }
        }
        if (threadIdx.x < nkb) {
            sh.group[threadIdx.x] = __ldg(a.block_group + c0 + threadIdx.x);
        }
        __syncthreads();
        for (int kb = 0; kb < nkb; kb += U) {
            QWords<BITS> q[U];
            __half2 sz[U];
#pragma unroll
            for (int u = 0; u < U; ++u) {
#pragma unroll
                for (int j = 0; j < BITS; ++j) {
                    q[u].w[j] = 0u;
                }
                sz[u] = dq::h2_bits(0x64000000u);  // scale 0, 1024 + zero = 1024: contributes 0
                if (a.valid && kb + u < nkb) {
                    q[u] = load_qwords<BITS>(a.qcol + static_cast<size_t>(c0 + kb + u) * a.kb_stride);
                    sz[u] = __ldg(a.sz_col + static_cast<size_t>(sh.group[kb + u]) * a.out);
                }
            }
#pragma unroll
            for (int u = 0; u < U; ++u) {
                if (kb + u < nkb) {
                    gemv_block_dot<BITS, R>(q[u], sz[u], sh.act + (kb + u) * 32, acc);
                }
            }
        }
        __syncthreads();
    }
    if (a.valid) {
        const float bias = (a.add_bias && a.bias != nullptr) ? __ldg(a.bias + a.column) : 0.0f;
#pragma unroll
        for (int r = 0; r < R; ++r) {
            atomicAdd(b.y + sh.yoff[r] + a.column, (acc[r] + bias) * sh.weight[r]);
        }
    }
}

template <int BITS, int R>
__device__ __forceinline__ void gemv_gptq_dispatch(int rows, const LinearBatch& b, const GptqGemvArgs& a,
                                                   const GemvShared& sh) {
    if (rows == R) {
        gemv_gptq_pass<BITS, R>(b, a, sh);
    } else if constexpr (R > 1) {
        gemv_gptq_dispatch<BITS, R - 1>(rows, b, a, sh);
    }
}

// Writes the TaskRows of tasks [p0, p0 + rows) of the expert into shared memory (threads 0..rows-1).
__device__ __forceinline__ void stage_task_rows(const LinearBatch& b, const Tasks& tk, int p0, int rows,
                                                int y_col_offset, long long* xoff, long long* yoff, float* weight) {
    if (static_cast<int>(threadIdx.x) < rows) {
        const TaskRow t = task_row(b, tk.begin + p0 + threadIdx.x, y_col_offset);
        xoff[threadIdx.x] = t.xoff;
        yoff[threadIdx.x] = t.yoff;
        weight[threadIdx.x] = t.weight;
    }
}

// RMAX: the largest pass (rows per pass), a power of two <= 8 covering the tasks per expert the host expects.
template <int BITS, int RMAX>
__global__ void __launch_bounds__(kGemvThreads, 2) gemv_gptq_kernel(const LinearBatch b, int splits) {
    __shared__ __align__(16) __half s_act[RMAX * kActStride];
    __shared__ int s_group[kGemvChunk];
    __shared__ long long s_xoff[RMAX];
    __shared__ long long s_yoff[RMAX];
    __shared__ float s_weight[RMAX];

    const DeviceMatrix& m = b.mats[blockIdx.z];
    const int out = m.out;
    const int n0 = blockIdx.x * kGemvCols;
    if (n0 >= out) {
        return;
    }
    const Tasks tk = expert_tasks(b, blockIdx.z / b.nmat);
    if (tk.count <= 0) {
        return;
    }
    const int split = blockIdx.y;
    GptqGemvArgs a;
    a.kb0 = split_begin(split, splits, m.blocks);
    a.kb1 = split_begin(split + 1, splits, m.blocks);
    if (a.kb0 >= a.kb1 && split != 0) {
        return;
    }
    a.column = n0 + threadIdx.x;
    a.valid = a.column < out;
    a.out = out;
    a.in = m.in;
    a.kb_stride = static_cast<size_t>(out) * BITS;
    a.qcol = m.qweight + static_cast<size_t>(a.column) * BITS;
    a.sz_col = m.scale_zero + a.column;
    a.block_group = m.block_group;
    a.slot_input = m.slot_input;
    a.bias = m.bias;
    a.add_bias = split == 0;
    const int y_col_offset = m.y_col_offset;
    const GemvShared sh{s_act, s_group, s_xoff, s_yoff, s_weight};

    for (int p0 = 0; p0 < tk.count; p0 += RMAX) {
        const int rows = min(RMAX, tk.count - p0);
        __syncthreads();  // the previous pass no longer reads the task rows
        stage_task_rows(b, tk, p0, rows, y_col_offset, s_xoff, s_yoff, s_weight);
        __syncthreads();
        gemv_gptq_dispatch<BITS, RMAX>(rows, b, a, sh);
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Dense fp16 GEMV (decode)
// ------------------------------------------------------------------------------------------------------------------

constexpr int kDenseOutPerWarp = 4;
constexpr int kDenseOutPerBlock = kDenseOutPerWarp * (kGemvThreads / 32);  // 32
constexpr int kDenseChunk = 1024;           // inputs staged at once
constexpr int kDenseMinInputsPerSplit = 256;

struct DenseGemvArgs {
    const __half* w;  // dense weights
    const float* bias;
    int out;
    int in;
    int o0;           // the warp's first output row
    int k0;
    int k1;
    bool add_bias;
};

template <int R>
__device__ __forceinline__ void gemv_dense_pass(const LinearBatch& b, const DenseGemvArgs& a, const GemvShared& sh) {
    constexpr int UD = R <= 2 ? 2 : 1;  // warp steps (256 inputs) with loads in flight
    const int lane = threadIdx.x & 31;
    float acc[kDenseOutPerWarp][R];
#pragma unroll
    for (int j = 0; j < kDenseOutPerWarp; ++j) {
#pragma unroll
        for (int r = 0; r < R; ++r) {
            acc[j][r] = 0.0f;
        }
    }
    const bool silu_mul = b.input_mode == INPUT_SILU_MUL;
    for (int c0 = a.k0; c0 < a.k1; c0 += kDenseChunk) {
        const int n = min(kDenseChunk, a.k1 - c0);
        for (int idx = threadIdx.x; idx < n; idx += kGemvThreads) {
#pragma unroll
            for (int r = 0; r < R; ++r) {
                sh.act[r * kDenseChunk + idx] = __float2half_rn(input_value(b.x, sh.xoff[r], c0 + idx, a.in, silu_mul));
            }
        }
        __syncthreads();
        for (int kk = lane * 8; kk < n; kk += 256 * UD) {
            uint4 wv[UD][kDenseOutPerWarp];
#pragma unroll
            for (int u = 0; u < UD; ++u) {
#pragma unroll
                for (int j = 0; j < kDenseOutPerWarp; ++j) {
                    wv[u][j] = make_uint4(0u, 0u, 0u, 0u);
                    if (kk + 256 * u < n && a.o0 + j < a.out) {
                        wv[u][j] = dq::ld_stream_u4(a.w + static_cast<size_t>(a.o0 + j) * a.in + c0 + kk + 256 * u);
                    }
                }
            }
#pragma unroll
            for (int u = 0; u < UD; ++u) {
                if (kk + 256 * u < n) {
#pragma unroll
                    for (int r = 0; r < R; ++r) {
                        const uint4 av = *reinterpret_cast<const uint4*>(sh.act + r * kDenseChunk + kk + 256 * u);
#pragma unroll
                        for (int j = 0; j < kDenseOutPerWarp; ++j) {
                            __half2 h = __hmul2(dq::h2_bits(wv[u][j].x), dq::h2_bits(av.x));
                            h = __hfma2(dq::h2_bits(wv[u][j].y), dq::h2_bits(av.y), h);
                            h = __hfma2(dq::h2_bits(wv[u][j].z), dq::h2_bits(av.z), h);
                            h = __hfma2(dq::h2_bits(wv[u][j].w), dq::h2_bits(av.w), h);
                            const float2 f = __half22float2(h);  // flush after 8 products
                            acc[j][r] += f.x + f.y;
                        }
                    }
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int j = 0; j < kDenseOutPerWarp; ++j) {
#pragma unroll
        for (int r = 0; r < R; ++r) {
            float v = acc[j][r];
#pragma unroll
            for (int off = 16; off > 0; off >>= 1) {
                v += __shfl_xor_sync(0xFFFFFFFFu, v, off);
            }
            acc[j][r] = v;
        }
    }
    if (lane == 0) {
#pragma unroll
        for (int j = 0; j < kDenseOutPerWarp; ++j) {
            const int o = a.o0 + j;
            if (o < a.out) {
                const float bias = (a.add_bias && a.bias != nullptr) ? __ldg(a.bias + o) : 0.0f;
#pragma unroll
                for (int r = 0; r < R; ++r) {
                    atomicAdd(b.y + sh.yoff[r] + o, (acc[j][r] + bias) * sh.weight[r]);
                }
            }
        }
    }
}

template <int R>
__device__ __forceinline__ void gemv_dense_dispatch(int rows, const LinearBatch& b, const DenseGemvArgs& a,
                                                    const GemvShared& sh) {
    if (rows == R) {
        gemv_dense_pass<R>(b, a, sh);
    } else if constexpr (R > 1) {
        gemv_dense_dispatch<R - 1>(rows, b, a, sh);
    }
}

template <int RMAX>
__global__ void __launch_bounds__(kGemvThreads, 2) gemv_dense_kernel(const LinearBatch b, int splits) {
    __shared__ __align__(16) __half s_act[RMAX * kDenseChunk];
    __shared__ long long s_xoff[RMAX];
    __shared__ long long s_yoff[RMAX];
    __shared__ float s_weight[RMAX];

    const DeviceMatrix& m = b.mats[blockIdx.z];
    const int out = m.out;
    if (static_cast<int>(blockIdx.x) * kDenseOutPerBlock >= out) {
        return;
    }
    const Tasks tk = expert_tasks(b, blockIdx.z / b.nmat);
    if (tk.count <= 0) {
        return;
    }
    const int split = blockIdx.y;
    const int units = m.in / 8;
    DenseGemvArgs a;
    a.k0 = 8 * split_begin(split, splits, units);
    a.k1 = 8 * split_begin(split + 1, splits, units);
    if (a.k0 >= a.k1 && split != 0) {
        return;
    }
    a.w = m.dense;
    a.bias = m.bias;
    a.out = out;
    a.in = m.in;
    a.o0 = blockIdx.x * kDenseOutPerBlock + (threadIdx.x >> 5) * kDenseOutPerWarp;
    a.add_bias = split == 0;
    const int y_col_offset = m.y_col_offset;
    const GemvShared sh{s_act, nullptr, s_xoff, s_yoff, s_weight};

    for (int p0 = 0; p0 < tk.count; p0 += RMAX) {
        const int rows = min(RMAX, tk.count - p0);
        __syncthreads();
        stage_task_rows(b, tk, p0, rows, y_col_offset, s_xoff, s_yoff, s_weight);
        __syncthreads();
        gemv_dense_dispatch<RMAX>(rows, b, a, sh);
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Tensor-core GEMM (prefill), GPTQ (BITS = 2, 3, 4, 8) or dense fp16 (BITS = 0)
// ------------------------------------------------------------------------------------------------------------------

constexpr int kGemmThreads = 256;
constexpr int kBM = 64;          // task rows per tile
constexpr int kBN = 128;         // output columns per tile
constexpr int kBK = 32;          // slots (inputs) per K-step: one GPTQ block
constexpr int kLds = kBK + 8;    // shared row stride in halves (80 bytes: conflict-free ldmatrix and 16-byte stores)
constexpr int kGemmMinStepsPerSplit = 8;
constexpr int kARowsPerThread = kBM * kBK / kGemmThreads;  // 8

template <int BITS>
struct GemmBRegs {
    // GPTQ: the packed words of half a column of one block (4 bits: 2, 8 bits: 4, 2 bits: 1, 3 bits: the 2-bit-plane
    // word and the third-bit word) and its scale_zero; dense: two 16-byte pieces of weight rows.
    uint32_t w[BITS == 0 ? 8 : (BITS == 3 ? 2 : BITS / 2)];
    __half2 sz;
};

template <int BITS>
__global__ void __launch_bounds__(kGemmThreads, 2) gemm_kernel(const LinearBatch b, int splits) {
    __shared__ __align__(16) __half s_a[2][kBM][kLds];
    __shared__ __align__(16) __half s_b[2][kBN][kLds];
    __shared__ long long s_xoff[kBM];
    __shared__ long long s_yoff[kBM];
    __shared__ float s_weight[kBM];

    const DeviceMatrix& m = b.mats[blockIdx.z];
    const int out = m.out;
    const int n0 = blockIdx.x * kBN;
    if (n0 >= out) {
        return;
    }
    const Tasks tk = expert_tasks(b, blockIdx.z / b.nmat);
    const int mtile = blockIdx.y / splits;
    const int split = blockIdx.y - mtile * splits;
    const int m0 = mtile * kBM;
    if (m0 >= tk.count) {
        return;
    }
    const int mrows = min(kBM, tk.count - m0);
    const int in = m.in;
    const int steps = BITS == 0 ? (in + kBK - 1) / kBK : m.blocks;
    const int kb0 = split_begin(split, splits, steps);
    const int kb1 = split_begin(split + 1, splits, steps);
    if (kb0 >= kb1 && split != 0) {
        return;
    }
    const int tid = threadIdx.x;
    if (tid < kBM) {
        if (tid < mrows) {
            const TaskRow t = task_row(b, tk.begin + m0 + tid, m.y_col_offset);
            s_xoff[tid] = t.xoff;
            s_yoff[tid] = t.yoff;
            s_weight[tid] = t.weight;
        } else {
            s_xoff[tid] = -1;
            s_yoff[tid] = 0;
            s_weight[tid] = 0.0f;
        }
    }
    __syncthreads();

    const bool silu_mul = b.input_mode == INPUT_SILU_MUL;
    const float* x = b.x;
    const uint32_t* qweight = m.qweight;
    const __half2* scale_zero = m.scale_zero;
    const int32_t* block_group = m.block_group;
    const int32_t* slot_input = m.slot_input;
    const __half* dense = m.dense;

    // A loads: slot column a_col, rows a_row0 + 8 i
    const int a_col = tid & (kBK - 1);
    const int a_row0 = tid / kBK;
    // B loads, GPTQ: column b_n, slots 16 b_h .. 16 b_h + 15; dense: pieces (b_n, 8 c) for c = b_h * 2 + {0, 1}
    const int b_n = BITS == 0 ? (tid >> 1) : (tid & (kBN - 1));
    const int b_h = BITS == 0 ? (tid & 1) : (tid >> 7);
    const int b_col = n0 + b_n;
    const bool b_valid = b_col < out;

    float a_g[kARowsPerThread];
    float a_u[kARowsPerThread];
    GemmBRegs<BITS> br;

    auto load_step = [&](int kb) {
        // activations (raw fp32; SiLU and the fp16 rounding happen in store_step)
        int input;
        if constexpr (BITS == 0) {
            input = kb * kBK + a_col;
            input = input < in ? input : -1;
        } else {
            input = __ldg(slot_input + kb * kBK + a_col);
        }
#pragma unroll
        for (int i = 0; i < kARowsPerThread; ++i) {
            const long long xo = s_xoff[a_row0 + 8 * i];
            a_g[i] = 0.0f;
            a_u[i] = 0.0f;
            if (input >= 0 && xo >= 0) {
                a_g[i] = __ldg(x + xo + input);
                if (silu_mul) {
                    a_u[i] = __ldg(x + xo + in + input);
                }
            }
        }
        // weights
        if constexpr (BITS == 0) {
#pragma unroll
            for (int c = 0; c < 2; ++c) {
                const int k = kb * kBK + (b_h * 2 + c) * 8;
                uint4 v = make_uint4(0u, 0u, 0u, 0u);
                if (b_valid && k < in) {
                    v = __ldg(reinterpret_cast<const uint4*>(dense + static_cast<size_t>(b_col) * in + k));
                }
                br.w[4 * c] = v.x;
                br.w[4 * c + 1] = v.y;
                br.w[4 * c + 2] = v.z;
                br.w[4 * c + 3] = v.w;
            }
        } else {
            constexpr int NW = sizeof(br.w) / sizeof(br.w[0]);
#pragma unroll
            for (int j = 0; j < NW; ++j) {
                br.w[j] = 0u;
            }
            br.sz = dq::h2_bits(0x64000000u);
            if (b_valid) {
                const uint32_t* p = qweight + (static_cast<size_t>(kb) * out + b_col) * BITS;
                if constexpr (BITS == 4) {
                    const uint2 v = __ldg(reinterpret_cast<const uint2*>(p) + b_h);
                    br.w[0] = v.x;
                    br.w[1] = v.y;
                } else if constexpr (BITS == 8) {
                    const uint4 v = __ldg(reinterpret_cast<const uint4*>(p) + b_h);
                    br.w[0] = v.x;
                    br.w[1] = v.y;
                    br.w[2] = v.z;
                    br.w[3] = v.w;
                } else if constexpr (BITS == 2) {
                    br.w[0] = __ldg(p + b_h);
                } else {
                    br.w[0] = __ldg(p + b_h);
                    br.w[1] = __ldg(p + 2) >> (16 * b_h);
                }
                const int g = __ldg(block_group + kb);
                br.sz = __ldg(scale_zero + static_cast<size_t>(g) * out + b_col);
            }
        }
    };

    auto store_step = [&](int buf) {
#pragma unroll
        for (int i = 0; i < kARowsPerThread; ++i) {
            const float v = silu_mul ? silu(a_g[i]) * a_u[i] : a_g[i];
            s_a[buf][a_row0 + 8 * i][a_col] = __float2half_rn(v);
        }
        if constexpr (BITS == 0) {
#pragma unroll
            for (int c = 0; c < 2; ++c) {
                *reinterpret_cast<uint4*>(&s_b[buf][b_n][(b_h * 2 + c) * 8]) =
                    make_uint4(br.w[4 * c], br.w[4 * c + 1], br.w[4 * c + 2], br.w[4 * c + 3]);
            }
        } else {
            __half2 p[8];  // natural pairs (2m, 2m+1) of slots 16 b_h ..
            if constexpr (BITS == 4) {
                dq::magic4(br.w[0], p, 0);
                dq::magic4(br.w[1], p, 4);
            } else if constexpr (BITS == 8) {
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    dq::magic8(br.w[j], p, 2 * j);
                }
            } else if constexpr (BITS == 2) {
                dq::magic2(br.w[0], p, 0);
                dq::pairs_to_natural(p, 0);
            } else {
                dq::magic3(br.w[0], br.w[1], p, 0);
                dq::pairs_to_natural(p, 0);
            }
            const __half2 z2 = __high2half2(br.sz);
            const __half2 s2 = __low2half2(br.sz);
            uint32_t o[8];
#pragma unroll
            for (int j = 0; j < 8; ++j) {
                o[j] = dq::bits_h2(__hmul2(__hsub2(p[j], z2), s2));
            }
            uint4* dst = reinterpret_cast<uint4*>(&s_b[buf][b_n][16 * b_h]);
            dst[0] = make_uint4(o[0], o[1], o[2], o[3]);
            dst[1] = make_uint4(o[4], o[5], o[6], o[7]);
        }
    };

    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int wm = warp >> 2;  // 0..1: rows 32 wm ..
    const int wn = warp & 3;   // 0..3: columns 32 wn ..
    float acc[2][4][4];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
#pragma unroll
        for (int j = 0; j < 4; ++j) {
#pragma unroll
            for (int k = 0; k < 4; ++k) {
                acc[i][j][k] = 0.0f;
            }
        }
    }

    if (kb0 < kb1) {
        load_step(kb0);
    }
    int buf = 0;
    for (int kb = kb0; kb < kb1; ++kb) {
        store_step(buf);
        __syncthreads();
        if (kb + 1 < kb1) {
            load_step(kb + 1);  // in flight while the tensor cores work
        }
#pragma unroll
        for (int ks = 0; ks < kBK / 16; ++ks) {
            uint32_t af[2][4];
#pragma unroll
            for (int mi = 0; mi < 2; ++mi) {
                mma::ldmatrix_x4(af[mi], &s_a[buf][wm * 32 + mi * 16 + (lane & 15)][ks * 16 + (lane >> 4) * 8]);
            }
            uint32_t bf[4][2];
#pragma unroll
            for (int nj = 0; nj < 2; ++nj) {
                uint32_t t[4];
                mma::ldmatrix_x4(
                    t, &s_b[buf][wn * 32 + nj * 16 + (lane >> 4) * 8 + (lane & 7)][ks * 16 + ((lane >> 3) & 1) * 8]);
                bf[2 * nj][0] = t[0];
                bf[2 * nj][1] = t[1];
                bf[2 * nj + 1][0] = t[2];
                bf[2 * nj + 1][1] = t[3];
            }
#pragma unroll
            for (int mi = 0; mi < 2; ++mi) {
#pragma unroll
                for (int ni = 0; ni < 4; ++ni) {
                    mma::mma_m16n8k16(acc[mi][ni], af[mi], bf[ni]);
                }
            }
        }
        buf ^= 1;
    }

    // epilogue: bias by split 0, task weight, atomicAdd
    const int g = lane >> 2;
    const int t4 = lane & 3;
    const float* bias = (split == 0) ? m.bias : nullptr;
#pragma unroll
    for (int ni = 0; ni < 4; ++ni) {
        const int col = n0 + wn * 32 + ni * 8 + 2 * t4;
        float bv[2];
#pragma unroll
        for (int c = 0; c < 2; ++c) {
            bv[c] = (bias != nullptr && col + c < out) ? __ldg(bias + col + c) : 0.0f;
        }
#pragma unroll
        for (int mi = 0; mi < 2; ++mi) {
#pragma unroll
            for (int hh = 0; hh < 2; ++hh) {
                const int row = wm * 32 + mi * 16 + g + 8 * hh;
                if (row < mrows) {
                    const long long yo = s_yoff[row];
                    const float w = s_weight[row];
#pragma unroll
                    for (int c = 0; c < 2; ++c) {
                        if (col + c < out) {
                            atomicAdd(b.y + yo + col + c, (acc[mi][ni][2 * hh + c] + bv[c]) * w);
                        }
                    }
                }
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Host side
// ------------------------------------------------------------------------------------------------------------------

constexpr int kMaxDevices = 64;
std::atomic<int> g_sm_count[kMaxDevices];

int sm_count() {
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || dev < 0) {
        return 132;
    }
    if (dev < kMaxDevices) {
        const int cached = g_sm_count[dev].load(std::memory_order_relaxed);
        if (cached > 0) {
            return cached;
        }
    }
    int n = 0;
    if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n <= 0) {
        n = 132;
    }
    if (dev < kMaxDevices) {
        g_sm_count[dev].store(n, std::memory_order_relaxed);
    }
    return n;
}

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

// Splits of `units` K-units such that per_split_blocks * splits reaches `target` blocks, each split keeping at
// least `min_units` units (never fewer than one split, never more than max_splits).
int choose_splits(long long per_split_blocks, int units, int min_units, long long target, int max_splits) {
    const long long most = std::max(1, std::min(max_splits, units / min_units));
    const long long want = ceil_div(target, std::max(1LL, per_split_blocks));
    return static_cast<int>(std::max(1LL, std::min(most, want)));
}

// Rows per pass of the GEMV: a power of two covering the expected tasks per expert, at most 8.
int gemv_rmax(int max_tasks) {
    if (max_tasks <= 1) {
        return 1;
    }
    if (max_tasks <= 2) {
        return 2;
    }
    if (max_tasks <= 4) {
        return 4;
    }
    return kGemvRowsPerPass;
}

template <int BITS>
void launch_gemv_gptq(const LinearBatch& b, dim3 grid, int rmax, int splits, cudaStream_t stream) {
    switch (rmax) {
        case 1:
            gemv_gptq_kernel<BITS, 1><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
        case 2:
            gemv_gptq_kernel<BITS, 2><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
        case 4:
            gemv_gptq_kernel<BITS, 4><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
        default:
            gemv_gptq_kernel<BITS, 8><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
    }
}

void launch_gemv_dense(const LinearBatch& b, dim3 grid, int rmax, int splits, cudaStream_t stream) {
    switch (rmax) {
        case 1:
            gemv_dense_kernel<1><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
        case 2:
            gemv_dense_kernel<2><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
        case 4:
            gemv_dense_kernel<4><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
        default:
            gemv_dense_kernel<8><<<grid, kGemvThreads, 0, stream>>>(b, splits);
            break;
    }
}

}  // namespace

cudaError_t linear_forward(const LinearBatch& batch, int kind, int bits, int in, int max_out,
                           int max_tasks_per_expert, cudaStream_t stream) {
    if (batch.rows <= 0 || batch.nmat <= 0 || batch.experts <= 0 || in <= 0 || max_out <= 0 ||
        max_tasks_per_expert <= 0) {
        return cudaSuccess;  // nothing to compute
    }
    const bool dense = kind == MATRIX_DENSE;
    if (dense ? (in % 8 != 0) : (kind != MATRIX_GPTQ || (bits != 2 && bits != 3 && bits != 4 && bits != 8))) {
        return cudaErrorInvalidValue;
    }
    const long long z = static_cast<long long>(batch.experts) * batch.nmat;
    if (z > 65535) {
        return cudaErrorInvalidValue;
    }
    const bool routed = batch.expert_offset != nullptr;
    const long long total_tasks = routed ? static_cast<long long>(batch.rows) * batch.topk : batch.rows;
    const long long sms = sm_count();

    if (max_tasks_per_expert <= 16) {
        // GEMV: about 4 blocks per SM (two waves of two resident blocks) over the experts that have tasks
        const long long active_experts = routed ? std::min<long long>(batch.experts, total_tasks) : 1;
        const long long target = 4 * sms;
        const int rmax = gemv_rmax(max_tasks_per_expert);
        if (dense) {
            const int tiles = static_cast<int>(ceil_div(max_out, kDenseOutPerBlock));
            const int splits = choose_splits(tiles * batch.nmat * active_experts, in / 8,
                                             kDenseMinInputsPerSplit / 8, target, 65535);
            launch_gemv_dense(batch, dim3(tiles, splits, static_cast<unsigned>(z)), rmax, splits, stream);
        } else {
            const int tiles = static_cast<int>(ceil_div(max_out, kGemvCols));
            const int kblocks = static_cast<int>(ceil_div(in, 32));  // at least this many blocks per matrix
            const int splits =
                choose_splits(tiles * batch.nmat * active_experts, kblocks, kGemvMinBlocksPerSplit, target, 65535);
            const dim3 grid(tiles, splits, static_cast<unsigned>(z));
            switch (bits) {
                case 2:
                    launch_gemv_gptq<2>(batch, grid, rmax, splits, stream);
                    break;
                case 3:
                    launch_gemv_gptq<3>(batch, grid, rmax, splits, stream);
                    break;
                case 4:
                    launch_gemv_gptq<4>(batch, grid, rmax, splits, stream);
                    break;
                default:
                    launch_gemv_gptq<8>(batch, grid, rmax, splits, stream);
                    break;
            }
        }
    } else {
        // GEMM: split K only when the tiles leave the GPU short of about two waves of two resident blocks
        const int ntiles = static_cast<int>(ceil_div(max_out, kBN));
        const long long mtiles = ceil_div(max_tasks_per_expert, kBM);
        if (mtiles > 65535) {
            return cudaErrorInvalidValue;
        }
        const long long busy_mtiles =
            routed ? std::min<long long>(batch.experts * mtiles, ceil_div(total_tasks, kBM)) : mtiles;
        const int ksteps = static_cast<int>(ceil_div(in, kBK));
        const int splits = choose_splits(ntiles * batch.nmat * busy_mtiles, ksteps, kGemmMinStepsPerSplit, 4 * sms,
                                         static_cast<int>(65535 / mtiles));
        const dim3 grid(ntiles, static_cast<unsigned>(mtiles * splits), static_cast<unsigned>(z));
        switch (dense ? 0 : bits) {
            case 0:
                gemm_kernel<0><<<grid, kGemmThreads, 0, stream>>>(batch, splits);
                break;
            case 2:
                gemm_kernel<2><<<grid, kGemmThreads, 0, stream>>>(batch, splits);
                break;
            case 3:
                gemm_kernel<3><<<grid, kGemmThreads, 0, stream>>>(batch, splits);
                break;
            case 4:
                gemm_kernel<4><<<grid, kGemmThreads, 0, stream>>>(batch, splits);
                break;
            default:
                gemm_kernel<8><<<grid, kGemmThreads, 0, stream>>>(batch, splits);
                break;
        }
    }
    return cudaGetLastError();
}

}  // namespace rw
