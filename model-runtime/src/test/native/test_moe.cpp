// moe.cu on the emulator: moe_route (softmax, top-k with ties to the lower expert, renormalised weights) and its
// stable counting sort of the assignments by expert, through the fused single-block kernel (rows <= 64) and the
// two-kernel path, with up to 64 experts and sorts of more than one 1024-assignment chunk.
//
// Expectations: expert choices, offsets and the sorted assignments are exact (logits are either well separated or
// exactly equal, so fp32 rounding cannot reorder them); weights within 1e-5 of a double reference (fp32 softmax).
// All outputs are poisoned before the launch.
#include "moe.cuh"
#include "test_util.h"

#include <algorithm>

using namespace rw;

namespace {

t::Rng rng(4242);

enum Logits { SEPARATED, ALL_EQUAL, PAIRED_TIES };

int route_case(int rows, int experts, int topk, Logits kind) {
    static const char* kinds[] = {"separated", "all equal", "pairwise ties"};
    t::Case tc("moe_route rows " + std::to_string(rows) + " experts " + std::to_string(experts) + " top-" +
               std::to_string(topk) + " logits " + kinds[kind] + (rows <= 64 ? " (fused)" : " (route + sort)"));
    t::Buf<float> logits(static_cast<size_t>(rows) * experts);
    for (int r = 0; r < rows; ++r) {
        std::vector<int> perm(experts);
        for (int e = 0; e < experts; ++e) {
            perm[e] = e;
        }
        std::shuffle(perm.begin(), perm.end(), rng.g);
        for (int e = 0; e < experts; ++e) {
            float v = 0.f;
            if (kind == SEPARATED) {
                v = static_cast<float>(perm[e]) * 0.0625f - 2.f + rng.uniform(0.f, 0.01f);  // >= 0.05 apart
            } else if (kind == PAIRED_TIES) {
                v = static_cast<float>(perm[e] / 2) * 0.25f - 3.f;  // every value twice
            }
            logits[static_cast<size_t>(r) * experts + e] = v;
        }
    }
    const size_t n = static_cast<size_t>(rows) * topk;
    t::Buf<int32_t> ids(n);
    t::Buf<float> weights(n);
    t::Buf<int32_t> offsets(experts + 1);
    t::Buf<int32_t> sorted(n);
    ids.fill(t::kIntPoison);
    weights.fill(t::kNaN);
    offsets.fill(t::kIntPoison);
    sorted.fill(t::kIntPoison);
    const cudaError_t err = moe_route(logits.data(), rows, experts, topk, ids.data(), weights.data(), offsets.data(),
                                      sorted.data(), nullptr);
    tc.expect(err == cudaSuccess, "moe_route returned %d", static_cast<int>(err));
    // reference: experts by (logit descending, index ascending); weights renormalised over the chosen
    std::vector<int> want_ids(n);
    double worst = 0;
    for (int r = 0; r < rows; ++r) {
        const float* l = &logits[static_cast<size_t>(r) * experts];
        std::vector<int> order(experts);
        for (int e = 0; e < experts; ++e) {
            order[e] = e;
        }
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return l[a] > l[b]; });
        const float mx = *std::max_element(l, l + experts);
        double chosen = 0;
        for (int k = 0; k < topk; ++k) {
            chosen += std::exp(static_cast<double>(l[order[k]]) - mx);
        }
        for (int k = 0; k < topk; ++k) {
            const size_t a = static_cast<size_t>(r) * topk + k;
            want_ids[a] = order[k];
            const double w = std::exp(static_cast<double>(l[order[k]]) - mx) / chosen;
            if (ids[a] != order[k]) {
                tc.fail("row %d choice %d: expert %d, want %d", r, k, ids[a], order[k]);
            }
            worst = std::max(worst, std::fabs(weights[a] - w));
            if (!(std::fabs(weights[a] - w) <= 1e-5)) {
                tc.fail("row %d choice %d: weight %.8g, want %.8g", r, k, weights[a], w);
            }
        }
    }
    // stable grouping by expert
    int at = 0;
    for (int e = 0; e < experts; ++e) {
        if (offsets[e] != at) {
            tc.fail("expert_offset[%d] = %d, want %d", e, offsets[e], at);
        }
        for (size_t a = 0; a < n; ++a) {
            if (want_ids[a] == e) {
                if (sorted[at] != static_cast<int32_t>(a)) {
                    tc.fail("sorted_assign[%d] = %d, want %zu (expert %d)", at, sorted[at], a, e);
                }
                ++at;
            }
        }
    }
    tc.expect(offsets[experts] == at, "expert_offset[%d] = %d, want %d", experts, offsets[experts], at);
    tc.note("max weight err %.1e", worst);
    return tc.report();
}

int argument_checks() {
    t::Case tc("moe_route argument checks");
    t::Buf<float> l(8);
    t::Buf<int32_t> i(8);
    t::Buf<float> w(8);
    t::Buf<int32_t> o(66);
    tc.expect(moe_route(l.data(), 1, 65, 2, i.data(), w.data(), o.data(), i.data(), nullptr) == cudaErrorInvalidValue,
              "65 experts accepted");
    tc.expect(moe_route(l.data(), 1, 8, 9, i.data(), w.data(), o.data(), i.data(), nullptr) == cudaErrorInvalidValue,
              "top-9 accepted");
    tc.expect(moe_route(l.data(), 1, 2, 3, i.data(), w.data(), o.data(), i.data(), nullptr) == cudaErrorInvalidValue,
              "topk > experts accepted");
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
    add(route_case(0, 8, 2, SEPARATED));
    add(route_case(1, 8, 2, SEPARATED));
    add(route_case(5, 8, 2, SEPARATED));
    add(route_case(64, 8, 2, SEPARATED));
    add(route_case(17, 3, 1, SEPARATED));
    add(route_case(40, 33, 3, SEPARATED));
    add(route_case(9, 64, 8, SEPARATED));
    add(route_case(6, 8, 2, ALL_EQUAL));
    add(route_case(12, 40, 4, PAIRED_TIES));
    add(route_case(65, 8, 2, SEPARATED));
    add(route_case(700, 8, 2, SEPARATED));
    add(route_case(300, 64, 8, PAIRED_TIES));
    add(route_case(100, 5, 5, ALL_EQUAL));
    add(argument_checks());
    return t::finish("test_moe", cases, failed);
}
