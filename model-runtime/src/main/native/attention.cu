// Rotary embedding, KV-cache stores and grouped-query causal attention (decode and prefill).
//
// rope_and_store_kv: one block per (row, head) over q heads then kv heads; a thread turns pair (i, i + hd/2) with
// the host's cos/sin tables (products rounded separately, as the CPU backend computes them) and, for kv heads,
// stores k and v as fp16 into the cache at (seq[r], pos[r]).
//
// attention_decode (flash-decoding): one block of 4 warps per (row, kv head, group chunk of up to 8 query heads,
// split). All query heads that share a kv head are handled by the same block, so K/V are read once for the group.
// Inside a block a "worker" is a set of LPK lanes that owns one key at a time: for head_dim 64/128/256 each lane
// of the worker holds 8 dimensions (one 16-byte load of K and one of V), otherwise (generic even head_dim <= 256)
// a worker is a whole warp whose lanes hold up to 4 half2 pairs. Workers stride over the keys of the block's range
// with a one-key prefetch, keep an online softmax in fp32 (log2 domain: q is pre-scaled by scale * log2(e)), and
// are merged through shared memory at the end. For long contexts the key range of a row is cut into up to
// DEC_MAX_SPLITS parts (the count is chosen on the host from the grid size, then reduced on the device from the
// row's actual length, read from pos[]); partial results go to a static __device__ workspace and a second kernel
// merges them. Rows whose range needs one part are written directly and skipped by the merge kernel. The
// workspace is a single per-device buffer: attention_decode launches must not run concurrently on different
// streams.
//
// attention_prefill: a block owns a tile of 64 (query row, query head) pairs of one kv-head group (GQA rows are
// flattened as row * group + g), so each staged K/V tile serves every head of the group. Per key tile of 64
// positions: K and V are staged as fp16 in shared memory, S = Q K^T is computed with a 4x4 register tile per
// thread (Q kept in fp32 in shared memory), masked (causal and sliding window), turned into probabilities with a
// per-row online softmax, and O += P V is accumulated in registers (4 rows x up to 16 columns per thread).
// Plain fp32 FMA (no tensor cores), the same arithmetic as decode up to summation order.
#include "attention.cuh"

#include <algorithm>

#include "common/cuda_math.cuh"

namespace rw {
namespace {

inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

__device__ __forceinline__ float2 half2_bits_to_float2(uint32_t bits) {
    const __half2 h = *reinterpret_cast<const __half2*>(&bits);
    return __half22float2(h);
}

// ------------------------------------------------------------------------------------------------------------
// RoPE + KV store
// ------------------------------------------------------------------------------------------------------------

__global__ void __launch_bounds__(128)
    rope_and_store_kv_kernel(float* __restrict__ qkv, int ld, int heads, int kv_heads, int hd,
                             const int32_t* __restrict__ seq, const int32_t* __restrict__ pos,
                             const float* __restrict__ cos_table, const float* __restrict__ sin_table,
                             __half* __restrict__ k_cache, __half* __restrict__ v_cache, int max_seqs,
                             int max_pos) {
    const int r = blockIdx.x;
    const int h = blockIdx.y;
    const int s = seq[r];
    const int p = pos[r];
    if (s < 0 || s >= max_seqs || p < 0 || p >= max_pos) {
        return;
    }
    const int half = hd >> 1;
    float* row = qkv + (size_t)r * (size_t)ld;
    const float* ct = cos_table + (size_t)p * (size_t)half;
    const float* st = sin_table + (size_t)p * (size_t)half;
    if (h < heads) {
        float* q = row + (size_t)h * hd;
        for (int i = threadIdx.x; i < half; i += blockDim.x) {
            const float c = __ldg(ct + i);
            const float sn = __ldg(st + i);
            const float a = q[i];
            const float b = q[i + half];
            q[i] = __fsub_rn(__fmul_rn(a, c), __fmul_rn(b, sn));
            q[i + half] = __fadd_rn(__fmul_rn(b, c), __fmul_rn(a, sn));
        }
    } else {
        const int j = h - heads;
        float* k = row + (size_t)(heads + j) * hd;
        const float* v = row + (size_t)(heads + kv_heads + j) * hd;
        const size_t off = (((size_t)s * (size_t)max_pos + (size_t)p) * (size_t)kv_heads + (size_t)j) * (size_t)hd;
        __half* kc = k_cache + off;
        __half* vc = v_cache + off;
        for (int i = threadIdx.x; i < half; i += blockDim.x) {
            const float c = __ldg(ct + i);
            const float sn = __ldg(st + i);
            const float a = k[i];
            const float b = k[i + half];
            const float ka = __fsub_rn(__fmul_rn(a, c), __fmul_rn(b, sn));
            const float kb = __fadd_rn(__fmul_rn(b, c), __fmul_rn(a, sn));
            k[i] = ka;
            k[i + half] = kb;
            kc[i] = __float2half_rn(ka);
            kc[i + half] = __float2half_rn(kb);
            vc[i] = __float2half_rn(v[i]);
            vc[i + half] = __float2half_rn(v[i + half]);
        }
    }
}

// ------------------------------------------------------------------------------------------------------------
// Decode
// ------------------------------------------------------------------------------------------------------------

constexpr int DEC_WARPS = 4;
constexpr int DEC_THREADS = DEC_WARPS * 32;
constexpr int DEC_MAX_GROUP = 8;              // query heads per block (larger groups use several blocks)
constexpr int DEC_MAX_SPLITS = 32;            // key-range parts per (row, head)
constexpr int DEC_MIN_KEYS_PER_SPLIT = 128;   // >= DEC_MAX_SPLITS, so that no part of a row is empty
constexpr int DEC_WS_ENTRIES = 1 << 15;       // (row, head, part) partial results in the workspace
constexpr int DEC_WS_FLOATS = 1 << 21;        // their output vectors (8 MiB)
constexpr int DEC_COMBINE_THREADS = 128;

static_assert(DEC_MIN_KEYS_PER_SPLIT >= DEC_MAX_SPLITS, "parts must be non-empty");

// Split workspace: normalised partial outputs and their (max, sum) in the log2 domain.
__device__ float g_dec_o[DEC_WS_FLOATS];
__device__ float2 g_dec_ml[DEC_WS_ENTRIES];

struct DecodeArgs {
    const float* qkv;
    const int32_t* seq;
    const int32_t* pos;
    const __half* k_cache;
    const __half* v_cache;
    float* out;
    int ld;
    int heads;
    int kv_heads;
    int hd;
    int max_seqs;
    int max_pos;
    int window;
    float qscale;  // scale * log2(e)
    int ldo;
    int group;     // heads / kv_heads
    int chunks;    // blocks per kv head along the group
    int splits;    // grid.z: the most parts a row may use
};

// The key range [first, first + n) of row r and its sequence; n = 0 for a row whose seq/pos are out of range.
__device__ __forceinline__ int decode_range(const DecodeArgs& a, int r, int& s, int& first) {
    s = a.seq[r];
    const int p = a.pos[r];
    if (s < 0 || s >= a.max_seqs || p < 0 || p >= a.max_pos) {
        first = 0;
        return 0;
    }
    first = (a.window > 0 && p >= a.window) ? p - a.window + 1 : 0;
    return p - first + 1;
}

// Parts actually used by a row of n keys (1 for an invalid row).
__device__ __forceinline__ int decode_parts(int n, int splits) {
    const int want = (n + DEC_MIN_KEYS_PER_SPLIT - 1) / DEC_MIN_KEYS_PER_SPLIT;
    return max(1, min(want, splits));
}

// Raw fp16 words of the lane's dimensions of one key (or value) row.
template <int VEC, int LPK, int CPL>
__device__ __forceinline__ void load_words(const __half* __restrict__ p, int sl, int hd,
                                           uint32_t (&w)[VEC * CPL / 2]) {
    if (VEC == 8) {
        const uint4 u = __ldg(reinterpret_cast<const uint4*>(p) + sl);
        w[0] = u.x;
        w[1] = u.y;
        w[2] = u.z;
        w[3] = u.w;
    } else {
#pragma unroll
        for (int c = 0; c < CPL; ++c) {
            const int d0 = (c * LPK + sl) * 2;
            w[c] = d0 < hd ? __ldg(reinterpret_cast<const unsigned int*>(p + d0)) : 0u;
        }
    }
}

// VEC: dimensions per lane access (8: 16-byte loads, 2: half2); LPK: lanes per key (a worker); CPL: accesses per
// lane; GB: query heads per block. Lane sl of a worker holds dimensions (c * LPK + sl) * VEC + v.
template <int VEC, int LPK, int CPL, int GB>
__global__ void __launch_bounds__(DEC_THREADS) attention_decode_kernel(const DecodeArgs a) {
    constexpr int WPW = 32 / LPK;           // workers per warp
    constexpr int NW = DEC_WARPS * WPW;     // workers per block
    constexpr int DPL = VEC * CPL;          // dimensions per lane
    constexpr int WORDS = DPL / 2;
    constexpr int MAXD = LPK * DPL;         // largest head_dim this instance handles
    __shared__ float sm_acc[NW][GB][MAXD];
    __shared__ float sm_m[NW][GB];
    __shared__ float sm_l[NW][GB];

    const int r = blockIdx.y;
    const int kvh = blockIdx.x / a.chunks;
    const int g0 = (blockIdx.x % a.chunks) * GB;
    const int gc = min(GB, a.group - g0);
    const int h0 = kvh * a.group + g0;
    const int hd = a.hd;
    const int z = blockIdx.z;

    int s;
    int first;
    const int n = decode_range(a, r, s, first);
    const int parts = decode_parts(n, a.splits);
    if (z >= parts) {
        return;
    }
    float* out_row = a.out + (size_t)r * (size_t)a.ldo + (size_t)h0 * hd;
    if (n == 0) {
        for (int i = threadIdx.x; i < gc * hd; i += DEC_THREADS) {
            out_row[i] = 0.f;
        }
        return;
    }
    const int per = (int)((unsigned)(n + parts - 1) / (unsigned)parts);
    const int kb = first + z * per;
    const int ke = min(first + n, kb + per);

    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int sub = lane / LPK;
    const int sl = lane % LPK;
    const int worker = warp * WPW + sub;

    float q[GB][DPL];
    const float* qrow = a.qkv + (size_t)r * (size_t)a.ld + (size_t)h0 * hd;
#pragma unroll
    for (int g = 0; g < GB; ++g) {
#pragma unroll
        for (int c = 0; c < CPL; ++c) {
#pragma unroll
            for (int v = 0; v < VEC; ++v) {
                const int d = (c * LPK + sl) * VEC + v;
                q[g][c * VEC + v] = (g < gc && d < hd) ? qrow[g * hd + d] * a.qscale : 0.f;
            }
        }
    }
    float m[GB];
    float l[GB];
    float acc[GB][DPL];
#pragma unroll
    for (int g = 0; g < GB; ++g) {
        m[g] = -INFINITY;
        l[g] = 0.f;
#pragma unroll
        for (int i = 0; i < DPL; ++i) {
            acc[g][i] = 0.f;
        }
    }

    const size_t pos_stride = (size_t)a.kv_heads * (size_t)hd;  // halves between consecutive positions
    const size_t base = ((size_t)s * (size_t)a.max_pos * (size_t)a.kv_heads + (size_t)kvh) * (size_t)hd;
    const __half* kbase = a.k_cache + base;
    const __half* vbase = a.v_cache + base;

    uint32_t kw[WORDS];
    uint32_t vw[WORDS];
    {
        const int t = kb + warp * WPW + sub;
        if (t < ke) {
            load_words<VEC, LPK, CPL>(kbase + (size_t)t * pos_stride, sl, hd, kw);
            load_words<VEC, LPK, CPL>(vbase + (size_t)t * pos_stride, sl, hd, vw);
        } else {
#pragma unroll
            for (int i = 0; i < WORDS; ++i) {
                kw[i] = 0u;
                vw[i] = 0u;
            }
        }
    }
    // The loop bound is uniform over the warp (all its lanes run the shuffles); keys past ke are skipped.
    for (int t0 = kb + warp * WPW; t0 < ke; t0 += NW) {
        const int t = t0 + sub;
        const int tn = t + NW;
        uint32_t kn[WORDS];
        uint32_t vn[WORDS];
        if (tn < ke) {
            load_words<VEC, LPK, CPL>(kbase + (size_t)tn * pos_stride, sl, hd, kn);
            load_words<VEC, LPK, CPL>(vbase + (size_t)tn * pos_stride, sl, hd, vn);
        } else {
#pragma unroll
            for (int i = 0; i < WORDS; ++i) {
                kn[i] = 0u;
                vn[i] = 0u;
            }
        }
        float kf[DPL];
#pragma unroll
        for (int i = 0; i < WORDS; ++i) {
            const float2 f = half2_bits_to_float2(kw[i]);
            kf[2 * i] = f.x;
            kf[2 * i + 1] = f.y;
        }
        float dot[GB];
#pragma unroll
        for (int g = 0; g < GB; ++g) {
            float d = 0.f;
#pragma unroll
            for (int i = 0; i < DPL; ++i) {
                d = fmaf(q[g][i], kf[i], d);
            }
            dot[g] = group_sum<LPK>(d);
        }
        if (t < ke) {
            float vf[DPL];
#pragma unroll
            for (int i = 0; i < WORDS; ++i) {
                const float2 f = half2_bits_to_float2(vw[i]);
                vf[2 * i] = f.x;
                vf[2 * i + 1] = f.y;
            }
#pragma unroll
            for (int g = 0; g < GB; ++g) {
                if (dot[g] > m[g]) {
                    const float corr = exp2f(m[g] - dot[g]);
                    m[g] = dot[g];
                    l[g] *= corr;
#pragma unroll
                    for (int i = 0; i < DPL; ++i) {
                        acc[g][i] *= corr;
                    }
                }
                const float p = exp2f(dot[g] - m[g]);
                l[g] += p;
#pragma unroll
                for (int i = 0; i < DPL; ++i) {
                    acc[g][i] = fmaf(p, vf[i], acc[g][i]);
                }
            }
        }
#pragma unroll
        for (int i = 0; i < WORDS; ++i) {
            kw[i] = kn[i];
            vw[i] = vn[i];
        }
    }

    // Merge the workers of the block.
#pragma unroll
    for (int g = 0; g < GB; ++g) {
        if (sl == 0) {
            sm_m[worker][g] = m[g];
            sm_l[worker][g] = l[g];
        }
#pragma unroll
        for (int c = 0; c < CPL; ++c) {
#pragma unroll
            for (int v = 0; v < VEC; ++v) {
                sm_acc[worker][g][(c * LPK + sl) * VEC + v] = acc[g][c * VEC + v];
            }
        }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < gc * hd; i += DEC_THREADS) {
        const int g = i / hd;
        const int d = i - g * hd;
        float mx = -INFINITY;
#pragma unroll
        for (int w = 0; w < NW; ++w) {
            mx = fmaxf(mx, sm_m[w][g]);
        }
        float sum = 0.f;
        float o = 0.f;
        if (mx != -INFINITY) {
#pragma unroll
            for (int w = 0; w < NW; ++w) {
                const float f = exp2f(sm_m[w][g] - mx);
                sum = fmaf(f, sm_l[w][g], sum);
                o = fmaf(f, sm_acc[w][g][d], o);
            }
        }
        const float res = sum > 0.f ? __fdividef(o, sum) : 0.f;
        if (parts == 1) {
            out_row[i] = res;
        } else {
            const size_t e = ((size_t)r * (size_t)a.heads + (size_t)(h0 + g)) * (size_t)a.splits + (size_t)z;
            g_dec_o[e * (size_t)hd + (size_t)d] = res;
            if (d == 0) {
                g_dec_ml[e] = make_float2(mx, sum);
            }
        }
    }
}

// Merges the parts of rows that used more than one. One block per (head, row).
__global__ void __launch_bounds__(DEC_COMBINE_THREADS) attention_decode_combine_kernel(const DecodeArgs a) {
    const int h = blockIdx.x;
    const int r = blockIdx.y;
    int s;
    int first;
    const int n = decode_range(a, r, s, first);
    const int parts = decode_parts(n, a.splits);
    if (parts <= 1) {
        return;
    }
    const size_t e0 = ((size_t)r * (size_t)a.heads + (size_t)h) * (size_t)a.splits;
    float mx = -INFINITY;
    for (int z = 0; z < parts; ++z) {
        mx = fmaxf(mx, g_dec_ml[e0 + z].x);
    }
    float* o = a.out + (size_t)r * (size_t)a.ldo + (size_t)h * a.hd;
    for (int d = threadIdx.x; d < a.hd; d += DEC_COMBINE_THREADS) {
        float sum = 0.f;
        float acc = 0.f;
        for (int z = 0; z < parts; ++z) {
            const float2 ml = g_dec_ml[e0 + z];
            const float f = ml.y > 0.f ? exp2f(ml.x - mx) * ml.y : 0.f;
            sum += f;
            acc = fmaf(f, g_dec_o[(e0 + z) * (size_t)a.hd + (size_t)d], acc);
        }
        o[d] = sum > 0.f ? acc / sum : 0.f;
    }
}

template <int VEC, int LPK, int CPL, int GB>
void launch_decode(const DecodeArgs& a, int rows, cudaStream_t stream) {
    const dim3 grid((unsigned)(a.kv_heads * a.chunks), (unsigned)rows, (unsigned)a.splits);
    attention_decode_kernel<VEC, LPK, CPL, GB><<<grid, DEC_THREADS, 0, stream>>>(a);
}

template <int GB>
void launch_decode_for_dim(const DecodeArgs& a, int rows, bool aligned, cudaStream_t stream) {
    if (aligned && a.hd == 64) {
        launch_decode<8, 8, 1, GB>(a, rows, stream);
    } else if (aligned && a.hd == 128) {
        launch_decode<8, 16, 1, GB>(a, rows, stream);
    } else if (aligned && a.hd == 256) {
        launch_decode<8, 32, 1, GB>(a, rows, stream);
    } else {
        launch_decode<2, 32, 4, GB>(a, rows, stream);
    }
}

int multiprocessor_count() {
    int dev = 0;
    int n = 0;
    if (cudaGetDevice(&dev) != cudaSuccess ||
        cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n <= 0) {
        n = 108;
    }
    return n;
}

bool valid_shape(int rows, int heads, int kv_heads, int head_dim, int ld, int ldo) {
    if (rows < 0 || heads <= 0 || kv_heads <= 0 || heads % kv_heads != 0) {
        return false;
    }
    if (head_dim < 2 || head_dim > 256 || head_dim % 2 != 0) {
        return false;
    }
    const long long qkv_width = (long long)(heads + 2 * kv_heads) * head_dim;
    return (long long)ld >= qkv_width && (long long)ldo >= (long long)heads * head_dim;
}

// ------------------------------------------------------------------------------------------------------------
// Prefill
// ------------------------------------------------------------------------------------------------------------

constexpr int PF_BQ = 64;      // (query row, head) pairs per block
constexpr int PF_BK = 64;      // keys per staged tile
constexpr int PF_THREADS = 256;
constexpr int PF_LDS = PF_BK + 4;

static_assert(PF_BQ == 64 && PF_BK == 64 && PF_THREADS == 256, "the thread mapping assumes a 16x16 grid of 4x4");

struct PrefillArgs {
    const float* qkv;
    const __half* k_cache;
    const __half* v_cache;
    float* out;
    int ld;
    int rows;
    int heads;
    int kv_heads;
    int hd;
    int hdp;  // hd rounded up to a multiple of 8 (zero padding in shared memory)
    int seq;
    int start_pos;
    int max_pos;
    int window;
    float qscale;  // scale * log2(e)
    int ldo;
    int group;
    int tiles;
};

inline size_t prefill_smem_bytes(int hdp) {
    const size_t floats = (size_t)PF_BQ * (hdp + 4) + (size_t)PF_BQ * PF_LDS + 3 * PF_BQ;
    const size_t halves = (size_t)PF_BK * (hdp + 4) + (size_t)PF_BK * (hdp + 8);
    return floats * 4 + halves * 2;
}

// NC: half2 output column pairs per thread (hd <= 32 * NC); VEC8: K/V rows are staged with 16-byte loads
// (hd % 8 == 0 and aligned caches), otherwise with half2 loads.
template <int NC, bool VEC8>
__global__ void __launch_bounds__(PF_THREADS) attention_prefill_kernel(const PrefillArgs a) {
    extern __shared__ __align__(16) unsigned char pf_smem[];
    const int hd = a.hd;
    const int hdp = a.hdp;
    const int ldq = hdp + 4;  // floats
    const int ldk = hdp + 4;  // halves (8-byte aligned rows, conflict-free 8-byte reads)
    const int ldv = hdp + 8;  // halves (16-byte aligned rows)
    float* sQ = reinterpret_cast<float*>(pf_smem);
    float* sS = sQ + PF_BQ * ldq;
    float* sM = sS + PF_BQ * PF_LDS;
    float* sL = sM + PF_BQ;
    float* sC = sL + PF_BQ;
    __half* sK = reinterpret_cast<__half*>(sC + PF_BQ);
    __half* sV = sK + PF_BK * ldk;

    const int tile = a.tiles - 1 - (int)blockIdx.x;  // longest tiles first
    const int kvh = blockIdx.y;
    const int tid = threadIdx.x;
    const int tx = tid & 15;
    const int ty = tid >> 4;
    const int group = a.group;
    const int total = a.rows * group;
    const int f0 = tile * PF_BQ;
    const int f_last = min(f0 + PF_BQ, total) - 1;
    const int pos_lo = a.start_pos + f0 / group;
    const int pos_hi = a.start_pos + f_last / group;
    const int k_first = (a.window > 0 && pos_lo >= a.window) ? pos_lo - a.window + 1 : 0;

    for (int i = tid; i < PF_BQ * hdp; i += PF_THREADS) {
        const int rho = i / hdp;
        const int d = i - rho * hdp;
        const int f = f0 + rho;
        float v = 0.f;
        if (f < total && d < hd) {
            const int qi = f / group;
            const int g = f - qi * group;
            v = a.qkv[(size_t)qi * (size_t)a.ld + (size_t)(kvh * group + g) * hd + d] * a.qscale;
        }
        sQ[rho * ldq + d] = v;
    }
    if (tid < PF_BQ) {
        sM[tid] = -INFINITY;
        sL[tid] = 0.f;
    }
    int qpos[4];
    bool qok[4];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const int f = f0 + ty + 16 * i;
        qok[i] = f < total;
        qpos[i] = a.start_pos + (qok[i] ? f / group : 0);
    }
    float2 acc[4][NC];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
#pragma unroll
        for (int c = 0; c < NC; ++c) {
            acc[i][c] = make_float2(0.f, 0.f);
        }
    }
    const size_t cache_row0 = (size_t)a.seq * (size_t)a.max_pos;

    for (int k0 = k_first; k0 <= pos_hi; k0 += PF_BK) {
        __syncthreads();  // the previous tile is consumed (and, the first time, Q and the statistics are staged)
        if (VEC8) {
            const int cpr = hd >> 3;  // 16-byte chunks per row; hd == hdp here
            for (int i = tid; i < PF_BK * cpr; i += PF_THREADS) {
                const int j = i / cpr;
                const int c = i - j * cpr;
                const int kp = k0 + j;
                uint4 ku = make_uint4(0u, 0u, 0u, 0u);
                uint4 vu = ku;
                if (kp <= pos_hi) {
                    const size_t off = ((cache_row0 + (size_t)kp) * (size_t)a.kv_heads + (size_t)kvh) * (size_t)hd +
                                       (size_t)c * 8;
                    ku = __ldg(reinterpret_cast<const uint4*>(a.k_cache + off));
                    vu = __ldg(reinterpret_cast<const uint4*>(a.v_cache + off));
                }
                uint2* kd = reinterpret_cast<uint2*>(sK + j * ldk + c * 8);
                kd[0] = make_uint2(ku.x, ku.y);
                kd[1] = make_uint2(ku.z, ku.w);
                *reinterpret_cast<uint4*>(sV + j * ldv + c * 8) = vu;
            }
        } else {
            const int wpr = hdp >> 1;  // half2 words per row, padding included
            for (int i = tid; i < PF_BK * wpr; i += PF_THREADS) {
                const int j = i / wpr;
                const int d = (i - j * wpr) * 2;
                const int kp = k0 + j;
                unsigned int kw = 0u;
                unsigned int vw = 0u;
                if (kp <= pos_hi && d < hd) {
                    const size_t off =
                        ((cache_row0 + (size_t)kp) * (size_t)a.kv_heads + (size_t)kvh) * (size_t)hd + (size_t)d;
                    kw = __ldg(reinterpret_cast<const unsigned int*>(a.k_cache + off));
                    vw = __ldg(reinterpret_cast<const unsigned int*>(a.v_cache + off));
                }
                *reinterpret_cast<unsigned int*>(sK + j * ldk + d) = kw;
                *reinterpret_cast<unsigned int*>(sV + j * ldv + d) = vw;
            }
        }
        __syncthreads();

        // S = Q K^T for rows ty + 16 i and keys tx + 16 j, masked.
        float sc[4][4];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                sc[i][j] = 0.f;
            }
        }
        for (int d = 0; d < hdp; d += 4) {
            float4 qv[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                qv[i] = *reinterpret_cast<const float4*>(sQ + (ty + 16 * i) * ldq + d);
            }
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                const uint2 u = *reinterpret_cast<const uint2*>(sK + (tx + 16 * j) * ldk + d);
                const float2 lo = half2_bits_to_float2(u.x);
                const float2 hi = half2_bits_to_float2(u.y);
#pragma unroll
                for (int i = 0; i < 4; ++i) {
                    float t = sc[i][j];
                    t = fmaf(qv[i].x, lo.x, t);
                    t = fmaf(qv[i].y, lo.y, t);
                    t = fmaf(qv[i].z, hi.x, t);
                    t = fmaf(qv[i].w, hi.y, t);
                    sc[i][j] = t;
                }
            }
        }
#pragma unroll
        for (int i = 0; i < 4; ++i) {
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                const int kp = k0 + tx + 16 * j;
                const bool ok = qok[i] && kp <= qpos[i] && (a.window <= 0 || kp > qpos[i] - a.window);
                sS[(ty + 16 * i) * PF_LDS + tx + 16 * j] = ok ? sc[i][j] : -INFINITY;
            }
        }
        __syncthreads();

        // Online softmax, four threads per row.
        {
            const int row = tid >> 2;
            const int part = tid & 3;
            float* srow = sS + row * PF_LDS;
            float mx = -INFINITY;
#pragma unroll
            for (int c = part; c < PF_BK; c += 4) {
                mx = fmaxf(mx, srow[c]);
            }
            mx = group_max<4>(mx);
            const float m_old = sM[row];
            const float m_new = fmaxf(m_old, mx);
            const float m_use = m_new == -INFINITY ? 0.f : m_new;
            float sum = 0.f;
#pragma unroll
            for (int c = part; c < PF_BK; c += 4) {
                const float p = exp2f(srow[c] - m_use);
                srow[c] = p;
                sum += p;
            }
            sum = group_sum<4>(sum);
            __syncwarp();
            if (part == 0) {
                const float corr = exp2f(m_old - m_use);
                sC[row] = corr;
                sL[row] = sL[row] * corr + sum;
                sM[row] = m_new;
            }
        }
        __syncthreads();

        // O = O * corr + P V
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const float corr = sC[ty + 16 * i];
#pragma unroll
            for (int c = 0; c < NC; ++c) {
                acc[i][c].x *= corr;
                acc[i][c].y *= corr;
            }
        }
        for (int j = 0; j < PF_BK; j += 4) {
            float4 p4[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                p4[i] = *reinterpret_cast<const float4*>(sS + (ty + 16 * i) * PF_LDS + j);
            }
#pragma unroll
            for (int jj = 0; jj < 4; ++jj) {
                const __half2* vrow = reinterpret_cast<const __half2*>(sV + (j + jj) * ldv);
#pragma unroll
                for (int c = 0; c < NC; ++c) {
                    const int cp = tx + 16 * c;
                    if (2 * cp < hd) {
                        const float2 v = __half22float2(vrow[cp]);
#pragma unroll
                        for (int i = 0; i < 4; ++i) {
                            const float p = jj == 0 ? p4[i].x : jj == 1 ? p4[i].y : jj == 2 ? p4[i].z : p4[i].w;
                            acc[i][c].x = fmaf(p, v.x, acc[i][c].x);
                            acc[i][c].y = fmaf(p, v.y, acc[i][c].y);
                        }
                    }
                }
            }
        }
    }
    __syncthreads();

#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const int rho = ty + 16 * i;
        const int f = f0 + rho;
        if (f < total) {
            const int qi = f / group;
            const int g = f - qi * group;
            const float sum = sL[rho];
            const float inv = sum > 0.f ? 1.f / sum : 0.f;
            float* o = a.out + (size_t)qi * (size_t)a.ldo + (size_t)(kvh * group + g) * hd;
#pragma unroll
            for (int c = 0; c < NC; ++c) {
                const int cp = tx + 16 * c;
                if (2 * cp < hd) {
                    o[2 * cp] = acc[i][c].x * inv;
                    o[2 * cp + 1] = acc[i][c].y * inv;
                }
            }
        }
    }
}

template <int NC, bool VEC8>
cudaError_t launch_prefill(const PrefillArgs& a, cudaStream_t stream) {
    const size_t smem = prefill_smem_bytes(a.hdp);
    const cudaError_t err =
        cudaFuncSetAttribute(attention_prefill_kernel<NC, VEC8>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
    if (err != cudaSuccess) {
        return err;
    }
    const dim3 grid((unsigned)a.tiles, (unsigned)a.kv_heads);
    attention_prefill_kernel<NC, VEC8><<<grid, PF_THREADS, smem, stream>>>(a);
    return cudaSuccess;
}

template <int NC>
cudaError_t launch_prefill_vec(const PrefillArgs& a, bool vec8, cudaStream_t stream) {
    return vec8 ? launch_prefill<NC, true>(a, stream) : launch_prefill<NC, false>(a, stream);
}

}  // namespace

cudaError_t rope_and_store_kv(float* qkv, int ld, int rows, int heads, int kv_heads, int head_dim,
                              const int32_t* seq, const int32_t* pos, const float* cos_table,
                              const float* sin_table, __half* k_cache, __half* v_cache, int max_seqs, int max_pos,
                              cudaStream_t stream) {
    if (!valid_shape(rows, heads, kv_heads, head_dim, ld, heads * head_dim) || max_seqs <= 0 || max_pos <= 0 ||
        heads + kv_heads > 65535) {
        return cudaErrorInvalidValue;
    }
    if (rows == 0) {
        return cudaSuccess;
    }
    const int half = head_dim / 2;
    const int threads = half <= 32 ? 32 : half <= 64 ? 64 : 128;
    const dim3 grid((unsigned)rows, (unsigned)(heads + kv_heads));
    rope_and_store_kv_kernel<<<grid, threads, 0, stream>>>(qkv, ld, heads, kv_heads, head_dim, seq, pos, cos_table,
                                                           sin_table, k_cache, v_cache, max_seqs, max_pos);
    return cudaGetLastError();
}

cudaError_t attention_decode(const float* qkv, int ld, int rows, int heads, int kv_heads, int head_dim,
                             const int32_t* seq, const int32_t* pos, const __half* k_cache, const __half* v_cache,
                             int max_seqs, int max_pos, int window, float scale, float* out, int ldo,
                             cudaStream_t stream) {
    if (!valid_shape(rows, heads, kv_heads, head_dim, ld, ldo) || max_seqs <= 0 || max_pos <= 0 || rows > 65535) {
        return cudaErrorInvalidValue;
    }
    if (rows == 0) {
        return cudaSuccess;
    }
    DecodeArgs a;
    a.qkv = qkv;
    a.seq = seq;
    a.pos = pos;
    a.k_cache = k_cache;
    a.v_cache = v_cache;
    a.out = out;
    a.ld = ld;
    a.heads = heads;
    a.kv_heads = kv_heads;
    a.hd = head_dim;
    a.max_seqs = max_seqs;
    a.max_pos = max_pos;
    a.window = window;
    a.qscale = scale * LOG2E_F;
    a.ldo = ldo;
    a.group = heads / kv_heads;
    const int gb = a.group >= 5 ? DEC_MAX_GROUP : a.group >= 3 ? 4 : a.group;
    a.chunks = (a.group + gb - 1) / gb;

    // Parts per row: enough blocks to cover the GPU about twice, no more than the longest possible range needs,
    // and within the workspace.
    const long long blocks = (long long)rows * kv_heads * a.chunks;
    const long long target = 2LL * multiprocessor_count();
    const long long context = window > 0 && window < max_pos ? window : max_pos;
    long long splits = (target + blocks - 1) / blocks;
    splits = std::min(splits, (context + DEC_MIN_KEYS_PER_SPLIT - 1) / DEC_MIN_KEYS_PER_SPLIT);
    splits = std::min(splits, (long long)DEC_MAX_SPLITS);
    const long long heads_total = (long long)rows * heads;
    splits = std::min(splits, DEC_WS_ENTRIES / heads_total);
    splits = std::min(splits, DEC_WS_FLOATS / (heads_total * head_dim));
    a.splits = (int)std::max(splits, 1LL);

    const bool aligned = aligned16(k_cache) && aligned16(v_cache);
    switch (gb) {
        case 1:
            launch_decode_for_dim<1>(a, rows, aligned, stream);
            break;
        case 2:
            launch_decode_for_dim<2>(a, rows, aligned, stream);
            break;
        case 4:
            launch_decode_for_dim<4>(a, rows, aligned, stream);
            break;
        default:
            launch_decode_for_dim<8>(a, rows, aligned, stream);
            break;
    }
    if (a.splits > 1) {
        const dim3 grid((unsigned)heads, (unsigned)rows);
        attention_decode_combine_kernel<<<grid, DEC_COMBINE_THREADS, 0, stream>>>(a);
    }
    return cudaGetLastError();
}

cudaError_t attention_prefill(const float* qkv, int ld, int rows, int heads, int kv_heads, int head_dim, int seq,
                              int start_pos, const __half* k_cache, const __half* v_cache, int max_seqs,
                              int max_pos, int window, float scale, float* out, int ldo, cudaStream_t stream) {
    if (!valid_shape(rows, heads, kv_heads, head_dim, ld, ldo) || max_seqs <= 0 || max_pos <= 0 || seq < 0 ||
        seq >= max_seqs || start_pos < 0 || (long long)start_pos + rows > max_pos || kv_heads > 65535) {
        return cudaErrorInvalidValue;
    }
    if (rows == 0) {
        return cudaSuccess;
    }
    PrefillArgs a;
    a.qkv = qkv;
    a.k_cache = k_cache;
    a.v_cache = v_cache;
    a.out = out;
    a.ld = ld;
    a.rows = rows;
    a.heads = heads;
    a.kv_heads = kv_heads;
    a.hd = head_dim;
    a.hdp = (head_dim + 7) & ~7;
    a.seq = seq;
    a.start_pos = start_pos;
    a.max_pos = max_pos;
    a.window = window;
    a.qscale = scale * LOG2E_F;
    a.ldo = ldo;
    a.group = heads / kv_heads;
    const long long pairs = (long long)rows * a.group;
    if (pairs > 0x7fffffffLL - PF_BQ) {
        return cudaErrorInvalidValue;
    }
    a.tiles = (int)((pairs + PF_BQ - 1) / PF_BQ);
    const bool vec8 = head_dim % 8 == 0 && aligned16(k_cache) && aligned16(v_cache);
    cudaError_t err;
    if (head_dim <= 32) {
        err = launch_prefill_vec<1>(a, vec8, stream);
    } else if (head_dim <= 64) {
        err = launch_prefill_vec<2>(a, vec8, stream);
    } else if (head_dim <= 128) {
        err = launch_prefill_vec<4>(a, vec8, stream);
    } else {
        err = launch_prefill_vec<8>(a, vec8, stream);
    }
    if (err != cudaSuccess) {
        return err;
    }
    return cudaGetLastError();
}

}  // namespace rw
