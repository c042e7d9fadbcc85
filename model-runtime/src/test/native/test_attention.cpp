// attention.cu on the emulator: rope_and_store_kv, attention_decode (GQA groups of 1..12 query heads, the 16-byte
// paths for head_dim 64/128/256 and the generic half2 path, sliding windows, key ranges split over several blocks
// and merged, invalid rows) and attention_prefill (tiles of (row, head) pairs, causal and windowed masks) against
// decode and a double-precision reference.
//
// Tolerances, as the GPU tests of these kernels state them: RoPE 1e-6 relative (the same fp32 operations as the
// CPU backend), cache entries exact fp16 roundings; attention |err| <= 5e-5 + 5e-4 |want| against the double
// reference over the fp16 cache (fp32 scores, exp2 and sums on the device), prefill against decode within 2e-5 +
// 2e-4 |decode|. Every cache entry a launch must not read is NaN, so a key outside the causal range or the window
// that leaks into a result shows; outputs and row padding are NaN before each launch.
#include "attention.cuh"
#include "test_util.h"

#include <algorithm>

using namespace rw;

namespace {

t::Rng rng(2024);
const __half kHalfNaN = __float2half_rn(t::kNaN);

struct Shape {
    int heads;
    int kv_heads;
    int hd;
    int group() const { return heads / kv_heads; }
    int width() const { return (heads + 2 * kv_heads) * hd; }
};

std::string describe(const Shape& s) {
    return "heads " + std::to_string(s.heads) + "/" + std::to_string(s.kv_heads) + " hd " + std::to_string(s.hd);
}

// fp16 K/V caches [max_seqs][max_pos][kv_heads][hd], NaN everywhere until filled.
struct Cache {
    int max_seqs;
    int max_pos;
    Shape s;
    t::Buf<__half> k;
    t::Buf<__half> v;
    int off;  // halves before the first entry (4: an 8-byte offset, so the caches are not 16-byte aligned)
    Cache(int seqs, int pos, Shape shape, bool misalign)
        : max_seqs(seqs),
          max_pos(pos),
          s(shape),
          k(static_cast<size_t>(seqs) * pos * shape.kv_heads * shape.hd + 4),
          v(k.size()),
          off(misalign ? 4 : 0) {
        k.fill(kHalfNaN);
        v.fill(kHalfNaN);
    }
    size_t at(int seq, int pos, int kvh) const {
        return off + ((static_cast<size_t>(seq) * max_pos + pos) * s.kv_heads + kvh) * s.hd;
    }
    __half* kp() { return k.data() + off; }
    __half* vp() { return v.data() + off; }
    // Random keys and values for positions [from, to] of a sequence.
    void fill(int seq, int from, int to) {
        for (int p = from; p <= to; ++p) {
            for (int j = 0; j < s.kv_heads; ++j) {
                for (int d = 0; d < s.hd; ++d) {
                    k[at(seq, p, j) + d] = __float2half_rn(rng.normal());
                    v[at(seq, p, j) + d] = __float2half_rn(rng.normal());
                }
            }
        }
    }
};

// softmax(q . k_j * scale) v_j over j in [first, pos] of the row's sequence, for every query head, in double.
std::vector<double> reference(const Cache& c, const float* qrow, int seq, int pos, int window, float scale) {
    const Shape& s = c.s;
    std::vector<double> out(static_cast<size_t>(s.heads) * s.hd, 0.0);
    if (seq < 0 || seq >= c.max_seqs || pos < 0 || pos >= c.max_pos) {
        return out;
    }
    const int first = window > 0 && pos >= window ? pos - window + 1 : 0;
    for (int h = 0; h < s.heads; ++h) {
        const int kvh = h / s.group();
        std::vector<double> score(pos - first + 1);
        double mx = -INFINITY;
        for (int j = first; j <= pos; ++j) {
            double dot = 0;
            for (int d = 0; d < s.hd; ++d) {
                dot += static_cast<double>(qrow[h * s.hd + d]) * __half2float(c.k[c.at(seq, j, kvh) + d]);
            }
            score[j - first] = dot * scale;
            mx = std::max(mx, score[j - first]);
        }
        double sum = 0;
        for (double& x : score) {
            x = std::exp(x - mx);
            sum += x;
        }
        for (int j = first; j <= pos; ++j) {
            for (int d = 0; d < s.hd; ++d) {
                out[static_cast<size_t>(h) * s.hd + d] +=
                    score[j - first] / sum * __half2float(c.v[c.at(seq, j, kvh) + d]);
            }
        }
    }
    return out;
}

// Checks rows x (heads * hd) results at stride ldo (padding NaN) against `want`.
void compare(t::Case& tc, const char* what, const float* got, int rows, int cols, int ldo,
             const std::vector<std::vector<double>>& want, double abs_tol, double rel_tol, double& worst) {
    for (int r = 0; r < rows; ++r) {
        for (int i = 0; i < ldo; ++i) {
            const float g = got[static_cast<size_t>(r) * ldo + i];
            if (i >= cols) {
                tc.expect(std::isnan(g), "%s row %d: padding %d written (%g)", what, r, i, g);
                continue;
            }
            const double w = want[r][i];
            const double tol = abs_tol + rel_tol * std::fabs(w);
            worst = std::max(worst, std::fabs(g - w) / tol);
            if (!(std::fabs(g - w) <= tol)) {
                tc.fail("%s row %d col %d: got %.7g want %.7g", what, r, i, g, w);
            }
        }
    }
}

int rope_case(Shape s, int rows) {
    t::Case tc("rope_and_store_kv " + describe(s) + " rows " + std::to_string(rows));
    const int max_seqs = 3;
    const int max_pos = 64;
    const int half = s.hd / 2;
    const int ld = s.width() + 3;
    std::vector<float> cos_t(static_cast<size_t>(max_pos) * half);
    std::vector<float> sin_t(cos_t.size());
    for (int p = 0; p < max_pos; ++p) {
        for (int i = 0; i < half; ++i) {
            const double a = p * std::pow(10000.0, -2.0 * i / s.hd);
            cos_t[static_cast<size_t>(p) * half + i] = static_cast<float>(std::cos(a));
            sin_t[static_cast<size_t>(p) * half + i] = static_cast<float>(std::sin(a));
        }
    }
    t::Buf<float> qkv(static_cast<size_t>(rows) * ld);
    for (size_t k = 0; k < qkv.size(); ++k) {
        qkv[k] = static_cast<int>(k % ld) < s.width() ? rng.normal() : t::kNaN;
    }
    const std::vector<float> before = qkv.vec();
    std::vector<int32_t> seqs(rows);
    std::vector<int32_t> poss(rows);
    for (int r = 0; r < rows; ++r) {
        seqs[r] = r % max_seqs;
        poss[r] = (r * 7 + 3) % max_pos;
    }
    seqs[rows - 1] = max_seqs;  // invalid: skipped
    t::Buf<int32_t> seq(seqs);
    t::Buf<int32_t> pos(poss);
    t::Buf<float> ct(cos_t);
    t::Buf<float> st(sin_t);
    Cache c(max_seqs, max_pos, s, false);
    const cudaError_t err = rope_and_store_kv(qkv.data(), ld, rows, s.heads, s.kv_heads, s.hd, seq.data(), pos.data(),
                                              ct.data(), st.data(), c.kp(), c.vp(), max_seqs, max_pos, nullptr);
    tc.expect(err == cudaSuccess, "rope_and_store_kv returned %d", static_cast<int>(err));
    std::vector<bool> written(c.k.size(), false);
    for (int r = 0; r < rows; ++r) {
        const bool valid = seqs[r] < max_seqs;
        const float* in = &before[static_cast<size_t>(r) * ld];
        const float* out = &qkv[static_cast<size_t>(r) * ld];
        const float* cr = &cos_t[static_cast<size_t>(poss[r]) * half];
        const float* sr = &sin_t[static_cast<size_t>(poss[r]) * half];
        for (int i = 0; i < ld; ++i) {
            float want = in[i];
            const int h = i / s.hd;
            const int d = i % s.hd;
            if (valid && i < (s.heads + s.kv_heads) * s.hd) {  // q and k heads rotate, v stays
                const int j = d % half;
                const float a = in[h * s.hd + j];
                const float b = in[h * s.hd + j + half];
                want = d < half ? a * cr[j] - b * sr[j] : b * cr[j] + a * sr[j];
            }
            if (i >= s.width()) {
                tc.expect(std::isnan(out[i]), "row %d padding %d written", r, i);
            } else if (!(std::fabs(out[i] - want) <= 1e-6 * std::fabs(want) + 1e-30)) {
                tc.fail("row %d element %d: got %.9g want %.9g", r, i, out[i], want);
            }
        }
        if (!valid) {
            continue;
        }
        for (int j = 0; j < s.kv_heads; ++j) {
            const size_t at = c.at(seqs[r], poss[r], j);
            for (int d = 0; d < s.hd; ++d) {
                written[at + d] = true;
                const float kw = __half2float(__float2half_rn(out[(s.heads + j) * s.hd + d]));
                const float vw = __half2float(__float2half_rn(out[(s.heads + s.kv_heads + j) * s.hd + d]));
                tc.expect(__half2float(c.k[at + d]) == kw && __half2float(c.v[at + d]) == vw,
                          "row %d kv head %d dim %d: cache (%g, %g), want (%g, %g)", r, j, d,
                          __half2float(c.k[at + d]), __half2float(c.v[at + d]), kw, vw);
            }
        }
    }
    for (size_t k = 0; k < c.k.size(); ++k) {
        if (!written[k] && !(std::isnan(__half2float(c.k[k])) && std::isnan(__half2float(c.v[k])))) {
            tc.fail("cache entry %zu written though no row stores there", k);
            break;
        }
    }
    return tc.report();
}

int decode_case(Shape s, int rows, int max_pos, int max_len, int window, int sms, bool misalign) {
    t::Case tc("attention_decode " + describe(s) + " rows " + std::to_string(rows) + " len <= " +
               std::to_string(max_len) + " window " + std::to_string(window) + " sms " + std::to_string(sms) +
               (misalign ? " misaligned cache" : ""));
    emu::set_device(0, sms);  // (the launcher asks every time)
    const int max_seqs = rows + 1;
    Cache c(max_seqs, max_pos, s, misalign);
    std::vector<int32_t> seqs(rows);
    std::vector<int32_t> poss(rows);
    for (int r = 0; r < rows; ++r) {
        seqs[r] = r;
        poss[r] = r == 0 ? 0 : 1 + rng.below(max_len);
        const int first = window > 0 && poss[r] >= window ? poss[r] - window + 1 : 0;
        c.fill(seqs[r], first, poss[r]);  // the row's keys; all others stay NaN
    }
    if (rows > 2) {
        seqs[rows - 1] = -1;  // invalid rows: zeros
        poss[rows - 2] = max_pos;
    }
    const int ld = s.width() + 1;
    const int ldo = s.heads * s.hd + 2;
    t::Buf<float> qkv(static_cast<size_t>(rows) * ld);
    for (size_t k = 0; k < qkv.size(); ++k) {
        qkv[k] = static_cast<int>(k % ld) < s.heads * s.hd ? rng.normal() : t::kNaN;  // only q is read
    }
    t::Buf<int32_t> seq(seqs);
    t::Buf<int32_t> pos(poss);
    t::Buf<float> out(static_cast<size_t>(rows) * ldo);
    out.fill(t::kNaN);
    const float scale = 1.0f / std::sqrt(static_cast<float>(s.hd));
    const cudaError_t err = attention_decode(qkv.data(), ld, rows, s.heads, s.kv_heads, s.hd, seq.data(), pos.data(),
                                             c.kp(), c.vp(), max_seqs, max_pos, window, scale, out.data(), ldo,
                                             nullptr);
    tc.expect(err == cudaSuccess, "attention_decode returned %d", static_cast<int>(err));
    std::vector<std::vector<double>> want(rows);
    for (int r = 0; r < rows; ++r) {
        want[r] = reference(c, &qkv[static_cast<size_t>(r) * ld], seqs[r], poss[r], window, scale);
    }
    double worst = 0;
    compare(tc, "out", out.data(), rows, s.heads * s.hd, ldo, want, 5e-5, 5e-4, worst);
    tc.note("max err/tol %.3f", worst);
    emu::set_device(0, 132);
    return tc.report();
}

int prefill_case(Shape s, int rows, int start, int window, bool misalign) {
    t::Case tc("attention_prefill " + describe(s) + " rows " + std::to_string(rows) + " from " +
               std::to_string(start) + " window " + std::to_string(window) + (misalign ? " misaligned cache" : ""));
    const int max_seqs = 2;
    const int seq = 1;
    const int max_pos = start + rows + 5;
    Cache c(max_seqs, max_pos, s, misalign);
    const int last = start + rows - 1;
    const int first = window > 0 && start >= window ? start - window + 1 : 0;
    c.fill(seq, first, last);
    const int ld = s.width();
    const int ldo = s.heads * s.hd + 3;
    t::Buf<float> qkv(static_cast<size_t>(rows) * ld);
    for (size_t k = 0; k < qkv.size(); ++k) {
        qkv[k] = static_cast<int>(k % ld) < s.heads * s.hd ? rng.normal() : t::kNaN;
    }
    t::Buf<float> out(static_cast<size_t>(rows) * ldo);
    t::Buf<float> dec(static_cast<size_t>(rows) * ldo);
    out.fill(t::kNaN);
    dec.fill(t::kNaN);
    const float scale = 1.0f / std::sqrt(static_cast<float>(s.hd));
    cudaError_t err = attention_prefill(qkv.data(), ld, rows, s.heads, s.kv_heads, s.hd, seq, start, c.kp(), c.vp(),
                                        max_seqs, max_pos, window, scale, out.data(), ldo, nullptr);
    tc.expect(err == cudaSuccess, "attention_prefill returned %d", static_cast<int>(err));
    std::vector<int32_t> seqs(rows, seq);
    std::vector<int32_t> poss(rows);
    for (int r = 0; r < rows; ++r) {
        poss[r] = start + r;
    }
    t::Buf<int32_t> sq(seqs);
    t::Buf<int32_t> ps(poss);
    err = attention_decode(qkv.data(), ld, rows, s.heads, s.kv_heads, s.hd, sq.data(), ps.data(), c.kp(), c.vp(),
                           max_seqs, max_pos, window, scale, dec.data(), ldo, nullptr);
    tc.expect(err == cudaSuccess, "attention_decode returned %d", static_cast<int>(err));
    std::vector<std::vector<double>> want(rows);
    std::vector<std::vector<double>> want_dec(rows);
    for (int r = 0; r < rows; ++r) {
        want[r] = reference(c, &qkv[static_cast<size_t>(r) * ld], seq, start + r, window, scale);
        want_dec[r].assign(dec.data() + static_cast<size_t>(r) * ldo, dec.data() + static_cast<size_t>(r) * ldo + ldo);
    }
    double worst = 0;
    double worst_dec = 0;
    compare(tc, "prefill", out.data(), rows, s.heads * s.hd, ldo, want, 5e-5, 5e-4, worst);
    compare(tc, "prefill vs decode", out.data(), rows, s.heads * s.hd, ldo, want_dec, 2e-5, 2e-4, worst_dec);
    tc.note("max err/tol %.3f, vs decode %.3f", worst, worst_dec);
    return tc.report();
}

int argument_checks() {
    t::Case tc("attention argument checks");
    t::Buf<float> q(64);
    t::Buf<int32_t> i(4);
    t::Buf<__half> k(64);
    tc.expect(attention_decode(q.data(), 64, 1, 3, 2, 8, i.data(), i.data(), k.data(), k.data(), 1, 1, 0, 1.f,
                               q.data(), 64, nullptr) == cudaErrorInvalidValue,
              "heads not a multiple of kv_heads accepted");
    tc.expect(attention_prefill(q.data(), 64, 4, 2, 1, 8, 0, 0, k.data(), k.data(), 1, 3, 0, 1.f, q.data(), 64,
                                nullptr) == cudaErrorInvalidValue,
              "prefill past max_pos accepted");
    tc.expect(rope_and_store_kv(q.data(), 8, 1, 2, 1, 7, i.data(), i.data(), q.data(), q.data(), k.data(), k.data(), 1,
                                1, nullptr) == cudaErrorInvalidValue,
              "odd head_dim accepted");
    return tc.report();
}

}  // namespace

int main() {
    int cases = 0;
    int failed = 0;
    auto add = [&](int r) {
        ++cases;
        failed += r;
    };
    add(rope_case({4, 2, 64}, 5));
    add(rope_case({3, 1, 6}, 4));
    add(rope_case({2, 2, 256}, 3));
    add(rope_case({6, 2, 80}, 3));
    // decode: 16-byte paths (64/128/256), generic path (80, 6, misaligned), groups 1..12, windows, key-range splits
    add(decode_case({8, 2, 128}, 4, 700, 690, 0, 132, false));
    add(decode_case({32, 4, 64}, 4, 400, 390, 100, 132, false));
    add(decode_case({12, 1, 80}, 3, 200, 190, 0, 8, false));
    add(decode_case({3, 3, 6}, 5, 40, 30, 3, 132, false));
    add(decode_case({2, 1, 256}, 3, 300, 290, 0, 132, false));
    add(decode_case({6, 2, 64}, 4, 300, 280, 0, 132, true));
    add(decode_case({10, 2, 64}, 3, 150, 140, 40, 16, false));
    add(decode_case({4, 4, 128}, 6, 64, 60, 0, 132, false));
    // prefill against decode and the reference: several tiles, earlier positions, windows, both staging paths
    add(prefill_case({8, 2, 64}, 70, 30, 0, false));
    add(prefill_case({4, 1, 100}, 40, 10, 0, false));
    add(prefill_case({2, 2, 6}, 90, 0, 0, false));
    add(prefill_case({8, 2, 64}, 60, 100, 50, false));
    add(prefill_case({8, 1, 128}, 20, 5, 16, false));
    add(prefill_case({2, 1, 256}, 24, 40, 0, false));
    add(prefill_case({6, 3, 64}, 33, 7, 0, true));
    add(argument_checks());
    return t::finish("test_attention", cases, failed);
}
