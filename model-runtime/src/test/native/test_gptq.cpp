// rw::linear_forward (gptq.cu) on the emulator: GPTQ 2/3/4/8-bit and dense fp16 matrices, the split-K GEMV (up to 16
// tasks per expert) and the tensor-core GEMM (more), against a double-precision evaluation of the same dequantised
// weights (W = fp16 scale * (q - zero)).
//
// Tolerances, as gptq.cu states them: |err| <= 3e-3 * sum_i |W_i x_i| + 1e-5 per output element, and relative L2
// error <= 2e-3 per output row. Output columns the launch must not touch (row padding) hold NaN and must keep it;
// the others start from a random value (the kernels add into y) and must end at that value plus the result. The
// activation rows' padding is NaN too, so reading past an input row shows.
#include "gptq.cuh"
#include "test_util.h"

#include <algorithm>
#include <map>

using namespace rw;

namespace {

t::Rng rng(1234);

struct HostMat {
    std::vector<uint32_t> qweight;
    std::vector<__half2> scale_zero;
    std::vector<int32_t> block_group;
    std::vector<int32_t> slot_input;
    std::vector<__half> dense;
    std::vector<float> bias;
    std::vector<double> w;  // reference [out][in]
    int in = 0;
    int out = 0;
    int blocks = 0;
    int groups = 0;
};

// A random GPTQ matrix in the GPU layout of common/device_matrix.cuh: inputs sorted by group (act-order: a shuffled
// g_idx), each group padded to whole 32-slot blocks.
HostMat make_gptq(int in, int out, int bits, int group_size, bool act_order, bool with_bias) {
    HostMat m;
    m.in = in;
    m.out = out;
    const int groups = group_size < 0 ? 1 : (in + group_size - 1) / group_size;
    m.groups = groups;
    std::vector<int> gidx(in);
    for (int i = 0; i < in; ++i) {
        gidx[i] = group_size < 0 ? 0 : i / group_size;
    }
    if (act_order) {
        std::shuffle(gidx.begin(), gidx.end(), rng.g);
    }
    std::vector<int> count(groups, 0);
    std::vector<int> first(groups, 0);
    for (int g : gidx) {
        count[g]++;
    }
    int blocks = 0;
    for (int g = 0; g < groups; ++g) {
        first[g] = blocks;
        blocks += (count[g] + 31) / 32;
    }
    m.blocks = blocks;
    m.block_group.resize(blocks);
    m.slot_input.assign(static_cast<size_t>(blocks) * 32, -1);
    for (int g = 0; g < groups; ++g) {
        for (int b = first[g]; b < first[g] + (count[g] + 31) / 32; ++b) {
            m.block_group[b] = g;
        }
    }
    std::vector<int> next(groups);
    for (int g = 0; g < groups; ++g) {
        next[g] = first[g] * 32;
    }
    std::vector<int> slot_of(in);
    for (int i = 0; i < in; ++i) {
        const int s = next[gidx[i]]++;
        m.slot_input[s] = i;
        slot_of[i] = s;
    }
    const int maxq = (1 << bits) - 1;
    std::vector<int> q(static_cast<size_t>(blocks) * 32 * out, 0);  // [slot][out]; padding slots keep q = 0
    for (int i = 0; i < in; ++i) {
        for (int o = 0; o < out; ++o) {
            q[static_cast<size_t>(slot_of[i]) * out + o] = rng.below(maxq + 1);
        }
    }
    m.scale_zero.resize(static_cast<size_t>(groups) * out);
    std::vector<double> scale(m.scale_zero.size());
    std::vector<int> zero(m.scale_zero.size());
    for (size_t k = 0; k < scale.size(); ++k) {
        const __half hs = __float2half_rn(rng.uniform(0.002f, 0.02f));
        scale[k] = __half2float(hs);
        zero[k] = rng.below(maxq + 1);
        m.scale_zero[k] = {hs, __float2half_rn(1024.f + static_cast<float>(zero[k]))};
    }
    m.qweight.assign(static_cast<size_t>(blocks) * out * bits, 0u);
    for (int b = 0; b < blocks; ++b) {
        for (int o = 0; o < out; ++o) {
            uint32_t* w = &m.qweight[(static_cast<size_t>(b) * out + o) * bits];
            for (int s = 0; s < 32; ++s) {
                const uint32_t v = static_cast<uint32_t>(q[static_cast<size_t>(b * 32 + s) * out + o]);
                if (bits == 4) {
                    const int k = (s & 7) >> 1;
                    w[s >> 3] |= v << ((s & 1) ? 16 + 4 * k : 4 * k);
                } else if (bits == 8) {
                    w[s >> 2] |= v << (8 * (s & 3));
                } else if (bits == 2) {
                    w[s >> 4] |= v << (2 * (s & 15));
                } else {
                    w[s >> 4] |= (v & 3u) << (2 * (s & 15));
                    w[2] |= (v >> 2) << s;
                }
            }
        }
    }
    m.w.assign(static_cast<size_t>(out) * in, 0.0);
    for (int o = 0; o < out; ++o) {
        for (int i = 0; i < in; ++i) {
            const size_t k = static_cast<size_t>(gidx[i]) * out + o;
            m.w[static_cast<size_t>(o) * in + i] = scale[k] * (q[static_cast<size_t>(slot_of[i]) * out + o] - zero[k]);
        }
    }
    if (with_bias) {
        m.bias.resize(out);
        for (float& b : m.bias) {
            b = rng.uniform(-1.f, 1.f);
        }
    }
    return m;
}

HostMat make_dense(int in, int out, bool with_bias) {
    HostMat m;
    m.in = in;
    m.out = out;
    m.dense.resize(static_cast<size_t>(out) * in);
    m.w.resize(m.dense.size());
    for (size_t k = 0; k < m.dense.size(); ++k) {
        m.dense[k] = __float2half_rn(rng.uniform(-0.1f, 0.1f));
        m.w[k] = __half2float(m.dense[k]);
    }
    if (with_bias) {
        m.bias.resize(out);
        for (float& b : m.bias) {
            b = rng.uniform(-1.f, 1.f);
        }
    }
    return m;
}

double silu(double v) { return v / (1.0 + std::exp(-v)); }

struct Spec {
    std::string name;
    int kind;
    int bits;
    int in;
    std::vector<int> outs;  // one matrix per entry (q, k, v: 3), side by side in y
    int experts;
    int rows;
    int topk;
    bool routed;
    int input_mode;
    int output_mode;
    int group_size;  // -1: one group
    bool act_order;
    bool bias;
    int sms = 132;           // the device's multiprocessor count: fewer make the launcher split K more
    int max_tasks = -1;      // the bound passed to linear_forward (default: the actual maximum)
};

// Launchers cache the multiprocessor count per device, so each count gets its own emulated device.
void use_sms(int sms) {
    static std::map<int, int> device_of;
    if (device_of.count(sms) == 0) {
        const int d = static_cast<int>(device_of.size());
        device_of[sms] = d;
        emu::set_device(d, sms);
    }
    emu::set_device(device_of[sms], sms);
}

int run(const Spec& c) {
    t::Case tc("linear " + std::string(c.kind == MATRIX_DENSE ? "dense" : "gptq" + std::to_string(c.bits) + "b") +
               " " + c.name);
    use_sms(c.sms);
    const int nmat = static_cast<int>(c.outs.size());
    std::vector<int> coloff(nmat);
    int ycols = 0;
    for (int m = 0; m < nmat; ++m) {
        coloff[m] = ycols;
        ycols += c.outs[m];
    }
    std::vector<HostMat> mats;
    for (int e = 0; e < c.experts; ++e) {
        for (int m = 0; m < nmat; ++m) {
            const bool bias = c.bias && m != 1;  // the second matrix (if any) without bias
            if (c.kind == MATRIX_DENSE) {
                mats.push_back(make_dense(c.in, c.outs[m], bias));
            } else {
                mats.push_back(make_gptq(c.in, c.outs[m], c.bits, c.group_size, c.act_order, bias));
            }
        }
    }
    // device copies
    std::vector<t::Buf<uint32_t>> qweight;
    std::vector<t::Buf<__half2>> scale_zero;
    std::vector<t::Buf<int32_t>> block_group;
    std::vector<t::Buf<int32_t>> slot_input;
    std::vector<t::Buf<__half>> dense;
    std::vector<t::Buf<float>> bias;
    t::Buf<DeviceMatrix> table(mats.size());
    for (size_t k = 0; k < mats.size(); ++k) {
        const HostMat& h = mats[k];
        DeviceMatrix d;
        memset(&d, 0, sizeof d);
        if (c.kind == MATRIX_GPTQ) {
            qweight.emplace_back(h.qweight);
            scale_zero.emplace_back(h.scale_zero);
            block_group.emplace_back(h.block_group);
            slot_input.emplace_back(h.slot_input);
            d.qweight = qweight.back().data();
            d.scale_zero = scale_zero.back().data();
            d.block_group = block_group.back().data();
            d.slot_input = slot_input.back().data();
            d.bits = c.bits;
            d.blocks = h.blocks;
            d.groups = h.groups;
        } else {
            dense.emplace_back(h.dense);
            d.dense = dense.back().data();
        }
        if (!h.bias.empty()) {
            bias.emplace_back(h.bias);
            d.bias = bias.back().data();
        }
        d.kind = c.kind;
        d.in = h.in;
        d.out = h.out;
        d.y_col_offset = coloff[k % nmat];
        table[k] = d;
    }
    // routing: each token picks topk distinct experts; assignments a = token * topk + k sorted by expert (stable)
    const int ntasks = c.routed ? c.rows * c.topk : c.rows;
    std::vector<int> expert_of(ntasks, 0);
    std::vector<float> weight(ntasks, 1.f);
    std::vector<int32_t> offsets(c.experts + 1, 0);
    std::vector<int32_t> sorted;
    if (c.routed) {
        for (int r = 0; r < c.rows; ++r) {
            std::vector<int> ex(c.experts);
            for (int e = 0; e < c.experts; ++e) {
                ex[e] = e;
            }
            std::shuffle(ex.begin(), ex.end(), rng.g);
            for (int k = 0; k < c.topk; ++k) {
                expert_of[r * c.topk + k] = ex[k];
                weight[r * c.topk + k] = rng.uniform(0.1f, 0.9f);
            }
        }
        for (int e = 0; e < c.experts; ++e) {
            offsets[e] = static_cast<int32_t>(sorted.size());
            for (int a = 0; a < ntasks; ++a) {
                if (expert_of[a] == e) {
                    sorted.push_back(a);
                }
            }
        }
        offsets[c.experts] = static_cast<int32_t>(sorted.size());
    }
    int max_tasks = c.rows;
    if (c.routed) {
        max_tasks = 0;
        for (int e = 0; e < c.experts; ++e) {
            max_tasks = std::max(max_tasks, offsets[e + 1] - offsets[e]);
        }
    }
    if (c.max_tasks > 0) {
        max_tasks = c.max_tasks;
    }
    const bool silu_mul = c.input_mode == INPUT_SILU_MUL;
    const int xrows = silu_mul ? ntasks : c.rows;
    const int xcols = silu_mul ? 2 * c.in : c.in;
    const int ldx = xcols + 3;
    t::Buf<float> x(static_cast<size_t>(xrows) * ldx);
    for (int r = 0; r < xrows; ++r) {
        for (int i = 0; i < ldx; ++i) {
            x[static_cast<size_t>(r) * ldx + i] = i < xcols ? rng.uniform(-4.f, 4.f) : t::kNaN;
        }
    }
    const bool weighted = c.output_mode == OUTPUT_TOKEN_WEIGHTED;
    const int yrows = weighted ? c.rows : ntasks;
    const int ldy = ycols + 5;
    t::Buf<float> y(static_cast<size_t>(yrows) * ldy);
    std::vector<double> base(y.size());
    for (size_t k = 0; k < y.size(); ++k) {
        y[k] = static_cast<int>(k % ldy) < ycols ? rng.uniform(-1.f, 1.f) : t::kNaN;
        base[k] = y[k];
    }
    // reference and the size of each element's sum of |W_i x_i| (the error scale)
    std::vector<double> ref(y.size(), 0.0);
    std::vector<double> mag(y.size(), 0.0);
    for (int task = 0; task < ntasks; ++task) {
        const int e = expert_of[task];
        const int token = c.routed ? task / c.topk : task;
        const double wt = weighted && c.routed ? weight[task] : 1.0;
        const int xr = silu_mul ? task : token;
        const int yr = weighted ? token : task;
        std::vector<double> in(c.in);
        for (int i = 0; i < c.in; ++i) {
            const float* row = &x[static_cast<size_t>(xr) * ldx];
            in[i] = silu_mul ? silu(row[i]) * row[c.in + i] : row[i];
        }
        for (int m = 0; m < nmat; ++m) {
            const HostMat& h = mats[static_cast<size_t>(e) * nmat + m];
            for (int o = 0; o < h.out; ++o) {
                double s = 0;
                double a = 0;
                for (int i = 0; i < c.in; ++i) {
                    const double p = h.w[static_cast<size_t>(o) * c.in + i] * in[i];
                    s += p;
                    a += std::fabs(p);
                }
                if (!h.bias.empty()) {
                    s += h.bias[o];
                }
                const size_t k = static_cast<size_t>(yr) * ldy + coloff[m] + o;
                ref[k] += wt * s;
                mag[k] += wt * a;
            }
        }
    }
    t::Buf<int32_t> d_offsets(offsets);
    t::Buf<int32_t> d_sorted(sorted);
    t::Buf<float> d_weight(weight);
    LinearBatch b;
    memset(&b, 0, sizeof b);
    b.mats = table.data();
    b.nmat = nmat;
    b.experts = c.experts;
    b.x = x.data();
    b.ldx = ldx;
    b.rows = c.rows;
    b.input_mode = c.input_mode;
    b.output_mode = c.output_mode;
    b.y = y.data();
    b.ldy = ldy;
    b.topk = c.topk;
    if (c.routed) {
        b.expert_offset = d_offsets.data();
        b.sorted_assign = d_sorted.data();
        b.assign_weight = d_weight.data();
    }
    const int max_out = *std::max_element(c.outs.begin(), c.outs.end());
    const cudaError_t err = linear_forward(b, c.kind, c.bits, c.in, max_out, max_tasks, nullptr);
    tc.expect(err == cudaSuccess, "linear_forward returned %d", static_cast<int>(err));
    double worst = 0;
    double worst_l2 = 0;
    for (int r = 0; r < yrows; ++r) {
        double e2 = 0;
        double r2 = 0;
        for (int col = 0; col < ldy; ++col) {
            const size_t k = static_cast<size_t>(r) * ldy + col;
            const double got = y[k];
            if (col >= ycols) {
                tc.expect(std::isnan(got), "row %d padding column %d was written: %g", r, col, got);
                continue;
            }
            const double want = base[k] + ref[k];
            const double d = got - want;
            const double tol = 3e-3 * mag[k] + 1e-5;
            e2 += d * d;
            r2 += ref[k] * ref[k];
            worst = std::max(worst, std::fabs(d) / tol);
            if (!(std::fabs(d) <= tol)) {
                tc.fail("row %d col %d: got %.7g, want %.7g (tolerance %.3g)", r, col, got, want, tol);
            }
        }
        if (r2 > 0) {
            const double l2 = std::sqrt(e2 / r2);
            worst_l2 = std::max(worst_l2, l2);
            tc.expect(l2 <= 2e-3, "row %d: relative L2 error %.3g > 2e-3", r, l2);
        }
    }
    tc.note("%s, task bound %d, max err/tol %.3f, max row relL2 %.2e", max_tasks <= 16 ? "gemv" : "gemm",
            max_tasks, worst, worst_l2);
    return tc.report();
}

}  // namespace

int main() {
    std::vector<Spec> specs;
    for (int bits : {4, 8, 3, 2}) {
        specs.push_back({"3 rows, q|k|v (odd out 300 + y_col_offset), act-order g64, bias", MATRIX_GPTQ, bits, 320,
                         {300, 96, 64}, 1, 3, 1, false, INPUT_TOKEN, OUTPUT_TASK, 64, true, true});
        specs.push_back({"5 tokens routed top-2 of 4, SiLU*up in, weighted out, act-order g128", MATRIX_GPTQ, bits,
                         200, {96}, 4, 5, 2, true, INPUT_SILU_MUL, OUTPUT_TOKEN_WEIGHTED, 128, true, true});
        specs.push_back({"70 rows (2 task tiles), 2 matrices, act-order g64, weighted out", MATRIX_GPTQ, bits, 320,
                         {200, 72}, 1, 70, 1, false, INPUT_TOKEN, OUTPUT_TOKEN_WEIGHTED, 64, true, true});
        specs.push_back({"24 rows, odd out 131, group size -1, no bias", MATRIX_GPTQ, bits, 96, {131}, 1, 24, 1, false,
                         INPUT_TOKEN, OUTPUT_TASK, -1, false, false});
    }
    for (int rows : {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) {
        specs.push_back({std::to_string(rows) + " rows, split-K over 8 SMs", MATRIX_GPTQ, rows % 2 ? 4 : 3, 512,
                         {40}, 1, rows, 1, false, INPUT_TOKEN, OUTPUT_TASK, 128, rows % 3 == 0, true, 8});
    }
    specs.push_back({"1 row, group size -1", MATRIX_GPTQ, 4, 512, {256}, 1, 1, 1, false, INPUT_TOKEN, OUTPUT_TASK, -1,
                     false, false});
    specs.push_back({"11 rows (2 passes), split-K", MATRIX_GPTQ, 4, 1024, {64}, 1, 11, 1, false, INPUT_TOKEN,
                     OUTPUT_TASK, 128, false, true, 8});
    specs.push_back({"14 tokens routed top-2 of 3 (2 passes), split-K", MATRIX_GPTQ, 4, 768, {40}, 3, 14, 2, true,
                     INPUT_TOKEN, OUTPUT_TASK, 128, true, true, 8});
    specs.push_back({"9 tokens routed top-2 of 8, task bound = tokens as the host passes", MATRIX_GPTQ, 4, 256, {72},
                     8, 9, 2, true, INPUT_TOKEN, OUTPUT_TOKEN_WEIGHTED, 64, true, true, 132, 9});
    specs.push_back({"20 tokens routed top-2 of 8, bound = tokens (gemm, small experts)", MATRIX_GPTQ, 3, 256, {72}, 8,
                     20, 2, true, INPUT_SILU_MUL, OUTPUT_TOKEN_WEIGHTED, 64, true, true, 132, 20});
    specs.push_back({"2 tokens routed top-2 of 8 (idle experts)", MATRIX_GPTQ, 8, 256, {48}, 8, 2, 2, true,
                     INPUT_SILU_MUL, OUTPUT_TOKEN_WEIGHTED, 64, true, true});
    specs.push_back({"40 tokens routed top-2 of 4, SiLU*up, split-K", MATRIX_GPTQ, 4, 1024, {136}, 4, 40, 2, true,
                     INPUT_SILU_MUL, OUTPUT_TOKEN_WEIGHTED, 128, true, true, 4});
    specs.push_back({"20 rows, group size -1, split-K", MATRIX_GPTQ, 3, 512, {64}, 1, 20, 1, false, INPUT_TOKEN,
                     OUTPUT_TASK, -1, false, true, 2});
    specs.push_back({"4096 inputs in 16 K-splits, 2 rows", MATRIX_GPTQ, 4, 4096, {200}, 1, 2, 1, false, INPUT_TOKEN,
                     OUTPUT_TASK, 128, true, true});
    specs.push_back({"gemv chunks of 32 blocks, 2 rows", MATRIX_GPTQ, 8, 6144, {32}, 1, 2, 1, false, INPUT_SILU_MUL,
                     OUTPUT_TASK, 128, true, true, 1});
    specs.push_back({"gemv chunks of 32 blocks, 6 rows", MATRIX_GPTQ, 4, 6144, {32}, 1, 6, 1, false, INPUT_TOKEN,
                     OUTPUT_TASK, 128, true, true, 1});
    specs.push_back({"2 rows, 2 matrices", MATRIX_DENSE, 0, 264, {40, 8}, 1, 2, 1, false, INPUT_TOKEN, OUTPUT_TASK,
                     0, false, true});
    specs.push_back({"6 tokens routed top-2 of 3, SiLU*up, weighted, split-K", MATRIX_DENSE, 0, 2056, {33}, 3, 6, 2,
                     true, INPUT_SILU_MUL, OUTPUT_TOKEN_WEIGHTED, 0, false, true, 8});
    specs.push_back({"70 rows (gemm)", MATRIX_DENSE, 0, 264, {130}, 1, 70, 1, false, INPUT_TOKEN, OUTPUT_TASK, 0,
                     false, true});
    specs.push_back({"30 tokens routed to 2 experts (gemm), weighted, split-K", MATRIX_DENSE, 0, 1032, {40}, 2, 30, 1,
                     true, INPUT_TOKEN, OUTPUT_TOKEN_WEIGHTED, 0, false, true, 2, 30});
    specs.push_back({"3 rows, chunks of 1024 inputs", MATRIX_DENSE, 0, 8200, {5}, 1, 3, 1, false, INPUT_TOKEN,
                     OUTPUT_TASK, 0, false, true, 1});
    int failed = 0;
    for (const Spec& s : specs) {
        failed += run(s);
    }
    return t::finish("test_gptq", static_cast<int>(specs.size()), failed);
}
