// norm.cu on the emulator: rms_norm (float4 and scalar paths, padded rows, in place), embed_rows (vector and scalar
// paths, out-of-range tokens), positions_fill and counters_advance (grid-stride loops over several blocks).
//
// Tolerances: rms_norm is fp32 throughout with a block-tree sum of squares: |err| <= 1e-5 |y| + 1e-6 against a double
// reference (the bound the GPU test NormKernelTest uses); the other kernels copy or count and must be exact.
// Outputs are NaN (or kIntPoison) before each launch; row padding must keep its poison.
#include "norm.cuh"
#include "test_util.h"

using namespace rw;

namespace {

t::Rng rng(77);

int rms_case(int dim, int rows, int xpad, int ypad, bool in_place, bool misalign) {
    t::Case tc("rms_norm dim " + std::to_string(dim) + " rows " + std::to_string(rows) + " ldx +" +
               std::to_string(xpad) + " ldy +" + std::to_string(ypad) + (in_place ? " in place" : "") +
               (misalign ? " misaligned" : ""));
    const float eps = 1e-5f;
    const int ldx = dim + xpad;
    const int ldy = in_place ? ldx : dim + ypad;
    const int off = misalign ? 1 : 0;  // a float past a 16-byte boundary: the scalar path
    t::Buf<float> xb(static_cast<size_t>(rows) * ldx + off);
    t::Buf<float> yb(static_cast<size_t>(rows) * ldy + off);
    t::Buf<float> w(dim + off);
    float* x = xb.data() + off;
    float* y = in_place ? x : yb.data() + off;
    std::vector<double> want(static_cast<size_t>(rows) * dim);
    for (int d = 0; d < dim; ++d) {
        w[off + d] = rng.uniform(0.5f, 1.5f);
    }
    for (int r = 0; r < rows; ++r) {
        const float scale = std::pow(10.f, static_cast<float>(r % 5) - 2.f);  // rows of very different size
        double ss = 0;
        for (int i = 0; i < ldx; ++i) {
            const float v = i < dim ? scale * rng.normal() : t::kNaN;
            x[static_cast<size_t>(r) * ldx + i] = v;
            if (i < dim) {
                ss += static_cast<double>(v) * v;
            }
        }
        const double inv = 1.0 / std::sqrt(ss / dim + eps);
        for (int d = 0; d < dim; ++d) {
            want[static_cast<size_t>(r) * dim + d] = w[off + d] * (x[static_cast<size_t>(r) * ldx + d] * inv);
        }
    }
    if (!in_place) {
        yb.fill(t::kNaN);
    }
    const std::vector<float> x_before = xb.vec();
    const cudaError_t err = rms_norm(x, ldx, w.data() + off, rows, dim, eps, y, ldy, nullptr);
    tc.expect(err == cudaSuccess, "rms_norm returned %d", static_cast<int>(err));
    double worst = 0;
    for (int r = 0; r < rows; ++r) {
        for (int i = 0; i < ldy; ++i) {
            const float got = y[static_cast<size_t>(r) * ldy + i];
            if (i >= dim) {
                tc.expect(std::isnan(got), "row %d padding %d written: %g", r, i, got);
                continue;
            }
            const double e = want[static_cast<size_t>(r) * dim + i];
            const double tol = 1e-5 * std::fabs(e) + 1e-6;
            worst = std::max(worst, std::fabs(got - e) / tol);
            if (!(std::fabs(got - e) <= tol)) {
                tc.fail("row %d dim %d: got %.8g want %.8g", r, i, got, e);
            }
        }
    }
    if (!in_place) {
        for (size_t k = 0; k < x_before.size(); ++k) {
            const float a = x_before[k];
            const float b = xb[k];
            if (!(a == b || (std::isnan(a) && std::isnan(b)))) {
                tc.fail("x changed at %zu", k);
                break;
            }
        }
    }
    tc.note("max err/tol %.3f", worst);
    return tc.report();
}

int embed_case(int vocab, int hidden, bool misalign) {
    t::Case tc("embed_rows vocab " + std::to_string(vocab) + " hidden " + std::to_string(hidden) +
               (misalign ? " misaligned table" : ""));
    const int off = misalign ? 1 : 0;
    t::Buf<__half> table(static_cast<size_t>(vocab) * hidden + off);
    for (size_t k = 0; k < table.size(); ++k) {
        table[k] = __float2half_rn(rng.uniform(-2.f, 2.f));
    }
    const std::vector<int32_t> tokens = {3, 0, vocab - 1, -1, vocab, 3, 1 << 30, vocab / 2};
    const int rows = static_cast<int>(tokens.size());
    t::Buf<int32_t> tok(tokens);
    t::Buf<float> x(static_cast<size_t>(rows) * hidden);
    x.fill(t::kNaN);
    const cudaError_t err = embed_rows(table.data() + off, vocab, hidden, tok.data(), rows, x.data(), nullptr);
    tc.expect(err == cudaSuccess, "embed_rows returned %d", static_cast<int>(err));
    for (int r = 0; r < rows; ++r) {
        const bool valid = tokens[r] >= 0 && tokens[r] < vocab;
        for (int d = 0; d < hidden; ++d) {
            const float want = valid ? __half2float(table[off + static_cast<size_t>(tokens[r]) * hidden + d]) : 0.f;
            const float got = x[static_cast<size_t>(r) * hidden + d];
            if (!(got == want)) {
                tc.fail("row %d (token %d) dim %d: got %g want %g", r, tokens[r], d, got, want);
            }
        }
    }
    return tc.report();
}

int positions_case(int rows) {
    t::Case tc("positions_fill rows " + std::to_string(rows));
    t::Buf<int32_t> seq(rows);
    t::Buf<int32_t> pos(rows);
    seq.fill(t::kIntPoison);
    pos.fill(t::kIntPoison);
    const cudaError_t err = positions_fill(seq.data(), pos.data(), rows, 5, 1234, nullptr);
    tc.expect(err == cudaSuccess, "positions_fill returned %d", static_cast<int>(err));
    for (int r = 0; r < rows; ++r) {
        if (seq[r] != 5 || pos[r] != 1234 + r) {
            tc.fail("row %d: seq %d pos %d", r, seq[r], pos[r]);
        }
    }
    return tc.report();
}

int counters_case(int n, int by) {
    t::Case tc("counters_advance n " + std::to_string(n) + " by " + std::to_string(by));
    t::Buf<int32_t> v(n);
    for (int i = 0; i < n; ++i) {
        v[i] = i * 7 - 100;
    }
    cudaError_t err = counters_advance(v.data(), n, by, nullptr);
    tc.expect(err == cudaSuccess, "counters_advance returned %d", static_cast<int>(err));
    err = counters_advance(v.data(), n, by, nullptr);  // twice: a graph replay
    tc.expect(err == cudaSuccess, "counters_advance returned %d", static_cast<int>(err));
    for (int i = 0; i < n; ++i) {
        if (v[i] != i * 7 - 100 + 2 * by) {
            tc.fail("element %d: %d", i, v[i]);
        }
    }
    return tc.report();
}

int argument_checks() {
    t::Case tc("argument checks (no launch for empty or invalid shapes)");
    t::Buf<float> x(8);
    t::Buf<float> w(8);
    tc.expect(rms_norm(x.data(), 4, w.data(), 1, 8, 1e-5f, x.data(), 8, nullptr) == cudaErrorInvalidValue,
              "ldx < dim accepted");
    tc.expect(rms_norm(x.data(), 8, w.data(), 0, 8, 1e-5f, x.data(), 8, nullptr) == cudaSuccess, "0 rows refused");
    tc.expect(positions_fill(nullptr, nullptr, 0, 0, 0, nullptr) == cudaSuccess, "0 rows refused");
    tc.expect(counters_advance(nullptr, -1, 1, nullptr) == cudaErrorInvalidValue, "n < 0 accepted");
    tc.expect(cudaGetLastError() == cudaSuccess, "a launch error is pending");
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
    for (int dim : {127, 128, 129, 4096}) {
        for (int rows : {1, 3, 17}) {
            add(rms_case(dim, rows, 0, 0, false, false));
        }
        add(rms_case(dim, 5, 3, 7, false, false));
        add(rms_case(dim, 5, 4, 4, true, false));
        add(rms_case(dim, 4, 0, 0, true, false));
        add(rms_case(dim, 3, 0, 0, false, true));
    }
    for (int hidden : {64, 12, 4096}) {
        add(embed_case(50, hidden, false));
    }
    add(embed_case(50, 64, true));
    for (int rows : {1, 300, 5000}) {
        add(positions_case(rows));
    }
    add(counters_case(1, 1));
    add(counters_case(1000, -3));
    add(argument_checks());
    return t::finish("test_norm", cases, failed);
}
