// sampling.cu on the emulator: argmax_rows (ties to the lowest index, NaN never chosen, float4 and scalar paths, 256
// and 1024 threads) and sample_top_k (radix select with ties, ordered compaction, inverse CDF with the SplitMix64
// uniform of common/random.cuh), plus the fills.
//
// Expectations: argmax exact. sample_top_k: the token a double-precision evaluation of the same procedure picks
// (top-k by logit then index, candidates in index order, softmax of logit / temperature, first candidate whose
// cumulative probability exceeds u * total); where u * total lies within 1e-5 of a cumulative boundary the
// neighbouring candidate is accepted too (the kernel sums in fp32). k == 1 and temperature <= 0 equal argmax;
// equal inputs give equal tokens. Outputs are poisoned before each launch.
#include "common/random.cuh"
#include "sampling.cuh"
#include "test_util.h"

#include <algorithm>

using namespace rw;

namespace {

t::Rng rng(99);

// Random logits with many exact duplicates (values on a coarse grid), a few NaNs where asked.
std::vector<float> make_logits(int rows, int vocab, bool nans, float grid) {
    std::vector<float> l(static_cast<size_t>(rows) * vocab);
    for (float& v : l) {
        v = std::round(rng.normal() * 3.f / grid) * grid;
        if (nans && rng.below(50) == 0) {
            v = t::kNaN;
        }
    }
    return l;
}

int argmax_ref(const float* row, int vocab) {
    int best = -1;
    for (int i = 0; i < vocab; ++i) {
        if (!std::isnan(row[i]) && (best < 0 || row[i] > row[best])) {
            best = i;
        }
    }
    return best < 0 ? 0 : best;
}

int argmax_case(const char* what, int rows, int vocab, bool misalign, std::vector<float> logits) {
    t::Case tc(std::string("argmax_rows ") + what + " rows " + std::to_string(rows) + " vocab " +
               std::to_string(vocab) + (misalign ? " misaligned" : ""));
    const int off = misalign ? 1 : 0;
    t::Buf<float> l(logits.size() + off);
    std::copy(logits.begin(), logits.end(), l.data() + off);
    t::Buf<int32_t> out(rows);
    out.fill(t::kIntPoison);
    const cudaError_t err = argmax_rows(l.data() + off, rows, vocab, out.data(), nullptr);
    tc.expect(err == cudaSuccess, "argmax_rows returned %d", static_cast<int>(err));
    for (int r = 0; r < rows; ++r) {
        const int want = argmax_ref(&logits[static_cast<size_t>(r) * vocab], vocab);
        tc.expect(out[r] == want, "row %d: %d, want %d", r, out[r], want);
    }
    return tc.report();
}

// The token sample_top_k should pick for one row; `alt` gets the neighbour accepted at a rounding boundary (or -1).
int sample_ref(const float* row, int vocab, int k, float temperature, float u, int& alt) {
    auto key_greater = [&](int a, int b) {
        const bool na = std::isnan(row[a]);
        const bool nb = std::isnan(row[b]);
        if (na != nb) {
            return nb;  // NaN is the smallest
        }
        if (!na && row[a] != row[b]) {
            return row[a] > row[b];
        }
        return a < b;
    };
    std::vector<int> idx(vocab);
    for (int i = 0; i < vocab; ++i) {
        idx[i] = i;
    }
    k = std::min(k, vocab);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), key_greater);
    std::vector<int> cand(idx.begin(), idx.begin() + k);
    std::sort(cand.begin(), cand.end());
    double vmax = -INFINITY;
    for (int c : cand) {
        if (!std::isnan(row[c])) {
            vmax = std::max(vmax, static_cast<double>(row[c]));
        }
    }
    std::vector<double> cum(k);
    double total = 0;
    for (int j = 0; j < k; ++j) {
        double p = std::exp((row[cand[j]] - vmax) / temperature);
        if (!(p >= 0)) {
            p = 0;
        }
        total += p;
        cum[j] = total;
    }
    const double target = static_cast<double>(u) * total;
    int pick = -1;
    for (int j = 0; j < k && pick < 0; ++j) {
        if (cum[j] > target) {
            pick = j;
        }
    }
    alt = -1;
    if (pick < 0) {
        return cand[k - 1];
    }
    if (pick > 0 && std::fabs(cum[pick - 1] - target) <= 1e-5 * total) {
        alt = cand[pick - 1];
    } else if (pick + 1 < k && std::fabs(cum[pick] - target) <= 1e-5 * total) {
        alt = cand[pick + 1];
    }
    return cand[pick];
}

int sample_case(int rows, int vocab, int k, float temperature, bool nans, float grid, bool misalign) {
    t::Case tc("sample_top_k rows " + std::to_string(rows) + " vocab " + std::to_string(vocab) + " k " +
               std::to_string(k) + " T " + std::to_string(temperature).substr(0, 4) + (nans ? " NaNs" : "") +
               (misalign ? " misaligned" : ""));
    const std::vector<float> logits = make_logits(rows, vocab, nans, grid);
    const int off = misalign ? 1 : 0;
    t::Buf<float> l(logits.size() + off);
    std::copy(logits.begin(), logits.end(), l.data() + off);
    t::Buf<int32_t> step(1);
    step[0] = 7 + rows;
    const uint64_t seed = 0x1234567ull + static_cast<uint64_t>(vocab);
    t::Buf<int32_t> out(rows);
    t::Buf<int32_t> again(rows);
    out.fill(t::kIntPoison);
    again.fill(t::kIntPoison);
    cudaError_t err = sample_top_k(l.data() + off, rows, vocab, k, temperature, seed, step.data(), out.data(), nullptr);
    tc.expect(err == cudaSuccess, "sample_top_k returned %d", static_cast<int>(err));
    err = sample_top_k(l.data() + off, rows, vocab, k, temperature, seed, step.data(), again.data(), nullptr);
    tc.expect(err == cudaSuccess, "sample_top_k returned %d", static_cast<int>(err));
    int boundary = 0;
    for (int r = 0; r < rows; ++r) {
        const float u = sampling_uniform(seed, static_cast<uint32_t>(step[0]), static_cast<uint32_t>(r));
        int alt = -1;
        const int want = sample_ref(&logits[static_cast<size_t>(r) * vocab], vocab, k, temperature, u, alt);
        if (out[r] != want && out[r] == alt) {
            ++boundary;
        } else {
            tc.expect(out[r] == want, "row %d: token %d, want %d (u %.6f)", r, out[r], want, u);
        }
        tc.expect(again[r] == out[r], "row %d: a second launch gave %d, the first %d", r, again[r], out[r]);
    }
    tc.note("%d rows at a rounding boundary", boundary);
    return tc.report();
}

int argmax_equivalence_case() {
    t::Case tc("sample_top_k k=1 and T<=0 equal argmax_rows; steps give fresh draws");
    const int rows = 6;
    const int vocab = 700;
    const std::vector<float> logits = make_logits(rows, vocab, false, 0.5f);
    t::Buf<float> l(logits);
    t::Buf<int32_t> a(rows);
    t::Buf<int32_t> s1(rows);
    t::Buf<int32_t> s0(rows);
    a.fill(t::kIntPoison);
    s1.fill(t::kIntPoison);
    s0.fill(t::kIntPoison);
    tc.expect(argmax_rows(l.data(), rows, vocab, a.data(), nullptr) == cudaSuccess, "argmax_rows failed");
    tc.expect(sample_top_k(l.data(), rows, vocab, 1, 1.0f, 5, nullptr, s1.data(), nullptr) == cudaSuccess,
              "sample_top_k k=1 failed");
    tc.expect(sample_top_k(l.data(), rows, vocab, 50, 0.0f, 5, nullptr, s0.data(), nullptr) == cudaSuccess,
              "sample_top_k T=0 failed");
    for (int r = 0; r < rows; ++r) {
        tc.expect(s1[r] == a[r] && s0[r] == a[r], "row %d: argmax %d, k=1 %d, T=0 %d", r, a[r], s1[r], s0[r]);
    }
    // flat logits: every step draws anew, so 8 steps of 6 rows cannot all repeat step 0
    t::Buf<float> flat(static_cast<size_t>(rows) * vocab);
    flat.fill(0.f);
    t::Buf<int32_t> step(1);
    std::vector<int> first;
    int same = 0;
    for (int s = 0; s < 8; ++s) {
        step[0] = s;
        t::Buf<int32_t> out(rows);
        out.fill(t::kIntPoison);
        tc.expect(sample_top_k(flat.data(), rows, vocab, 64, 1.0f, 11, step.data(), out.data(), nullptr) ==
                      cudaSuccess, "sample_top_k failed");
        for (int r = 0; r < rows; ++r) {
            tc.expect(out[r] >= 0 && out[r] < 64, "flat row %d: token %d outside the top 64 (lowest indices)", r,
                      out[r]);
            if (s == 0) {
                first.push_back(out[r]);
            } else {
                same += out[r] == first[r];
            }
        }
    }
    tc.expect(same < 7 * rows / 2, "%d of %d later draws repeat step 0", same, 7 * rows);
    return tc.report();
}

int fill_case() {
    t::Case tc("fill_random_bits/half/scale_zero match SplitMix64 on the host");
    const size_t n = 3000;
    t::Buf<uint32_t> bits(n);
    t::Buf<__half> halves(n);
    t::Buf<__half2> sz(n);
    tc.expect(fill_random_bits(bits.data(), n, 17, nullptr) == cudaSuccess, "fill_random_bits failed");
    tc.expect(fill_random_half(halves.data(), n, -0.5f, 0.5f, 18, nullptr) == cudaSuccess, "fill_random_half failed");
    tc.expect(fill_random_scale_zero(sz.data(), n, 0.01f, 0.02f, 15, 19, nullptr) == cudaSuccess,
              "fill_random_scale_zero failed");
    for (size_t i = 0; i < n; ++i) {
        const uint32_t b = static_cast<uint32_t>(splitmix64_at(17, i) >> 32);
        tc.expect(bits[i] == b, "bits[%zu] = %#x, want %#x", i, bits[i], b);
        const float h = __half2float(halves[i]);
        const float want = __half2float(__float2half_rn(fmaf(1.0f, uniform_from_bits(splitmix64_at(18, i)), -0.5f)));
        tc.expect(h == want, "half[%zu] = %g, want %g", i, h, want);
        const uint64_t z = splitmix64_at(19, i);
        const float scale = __half2float(__float2half_rn(fmaf(0.02f - 0.01f, uniform_from_bits(z), 0.01f)));
        const float zero = 1024.f + static_cast<float>(static_cast<uint32_t>(z) % 16u);
        tc.expect(__low2float(sz[i]) == scale && __high2float(sz[i]) == zero, "scale_zero[%zu] = (%g, %g)", i,
                  __low2float(sz[i]), __high2float(sz[i]));
    }
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
    // argmax: ties everywhere (coarse grid), NaNs, all-NaN and -inf rows, both thread counts, both load paths
    add(argmax_case("ties", 5, 1000, false, make_logits(5, 1000, false, 1.0f)));
    add(argmax_case("ties+NaN", 4, 1001, false, make_logits(4, 1001, true, 1.0f)));
    add(argmax_case("ties", 3, 1000, true, make_logits(3, 1000, false, 1.0f)));
    add(argmax_case("ties+NaN", 3, 32000, false, make_logits(3, 32000, true, 0.5f)));
    add(argmax_case("ties", 2, 20001, true, make_logits(2, 20001, false, 0.5f)));
    {
        std::vector<float> special(3 * 40, t::kNaN);  // all NaN, all -inf, equal maxima at 7 and 31
        for (int i = 0; i < 40; ++i) {
            special[40 + i] = -INFINITY;
            special[80 + i] = i == 7 || i == 31 ? 2.f : 1.f;
        }
        add(argmax_case("NaN/-inf/equal maxima", 3, 40, false, special));
    }
    add(sample_case(6, 1000, 40, 0.8f, false, 0.25f, false));
    add(sample_case(5, 5003, 2, 1.0f, false, 0.5f, true));
    add(sample_case(4, 4096, 1024, 2.0f, false, 1.0f, false));
    add(sample_case(4, 777, 300, 1.0f, true, 0.125f, false));
    add(sample_case(3, 32000, 50, 0.7f, false, 0.01f, false));
    add(sample_case(3, 30, 64, 1.5f, false, 0.5f, false));  // k > vocab: every token a candidate
    add(argmax_equivalence_case());
    add(fill_case());
    return t::finish("test_sampling", cases, failed);
}
