package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * moe_route against a Java reference: softmax in double, top-k by descending probability with ties to the lower
 * expert (ids exact), weights renormalised over the chosen (within 2e-6), and the stable grouping of assignments
 * by expert (offsets and order exact). Every output is poisoned before the launch.
 */
class MoeRouteKernelTest {
    private CudaContext ctx;

    @BeforeEach
    void open() {
        CudaTestSupport.assumeCuda();
        ctx = CudaContext.open(0);
    }

    @AfterEach
    void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // rows, experts, topk: Mixtral's 8/2 at decode and prefill sizes (one fused launch up to 64 rows)
                Arguments.of(1, 8, 2), Arguments.of(7, 8, 2), Arguments.of(64, 8, 2), Arguments.of(65, 8, 2),
                Arguments.of(300, 8, 2), Arguments.of(1500, 8, 2),
                // other shapes: all experts chosen, the largest supported, an odd count
                Arguments.of(5, 3, 3), Arguments.of(33, 64, 8), Arguments.of(200, 64, 8), Arguments.of(9, 37, 1));
    }

    @ParameterizedTest(name = "rows {0}, experts {1}, topk {2}")
    @MethodSource("shapes")
    void routesRandomLogits(int rows, int experts, int topk) {
        Random random = new Random(rows * 100L + experts * 10L + topk);
        float[] logits = new float[rows * experts];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 2.0);
        }
        check(logits, rows, experts, topk);
    }

    /** Equal logits: ties go to the lower expert, and equal probabilities get equal weights. */
    @Test
    void tiesGoToTheLowerExpert() {
        float[][] rows = {
            {0, 0, 0, 0, 0, 0, 0, 0},
            {1, 3, 3, 0, 3, -1, 2, 2},
            {2, 2, 2, 2, 2, 2, 2, 9},
            {-5, 4, -5, 4, -5, 4, -5, 4},
            {100, 99, -100, 99, 0, 0, 0, 0},
            {1, 2, 3, 4, 5, 6, 7, 7},
        };
        float[] logits = new float[rows.length * 8];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, logits, r * 8, 8);
        }
        Result result = check(logits, rows.length, 8, 2);
        assertThat(result.ids).containsExactly(0, 1, 1, 2, 7, 0, 1, 3, 0, 1, 6, 7);
        assertThat(result.weights[0]).isEqualTo(0.5f);
        assertThat(result.weights[1]).isEqualTo(0.5f);
        assertThat(result.weights[2]).isEqualTo(result.weights[3]);
        assertThat(result.weights[10]).isEqualTo(result.weights[11]);
    }

    record Result(int[] ids, float[] weights, int[] offsets, int[] sorted) {
    }

    private Result check(float[] logits, int rows, int experts, int topk) {
        int assignments = rows * topk;
        DeviceBuffer dl = ctx.upload(logits);
        DeviceBuffer ids = ctx.allocateInts(assignments);
        DeviceBuffer weights = ctx.allocateFloats(assignments);
        DeviceBuffer offsets = ctx.allocateInts(experts + 1);
        DeviceBuffer sorted = ctx.allocateInts(assignments);
        for (DeviceBuffer b : new DeviceBuffer[] {ids, weights, offsets, sorted}) {
            ctx.fill(b, 0xFF);
        }
        CudaNative.moeRoute(ctx.stream(), dl.address(), rows, experts, topk, ids.address(), weights.address(),
                offsets.address(), sorted.address());
        Result got = new Result(ctx.downloadInts(ids), ctx.downloadFloats(weights), ctx.downloadInts(offsets),
                ctx.downloadInts(sorted));

        int[] wantIds = new int[assignments];
        double[] wantWeights = new double[assignments];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < experts; e++) {
                max = Math.max(max, logits[r * experts + e]);
            }
            double[] p = new double[experts];
            double sum = 0;
            for (int e = 0; e < experts; e++) {
                p[e] = Math.exp(logits[r * experts + e] - max);
                sum += p[e];
            }
            boolean[] taken = new boolean[experts];
            double chosen = 0;
            for (int k = 0; k < topk; k++) {
                int best = -1;
                for (int e = 0; e < experts; e++) {
                    if (!taken[e] && (best < 0 || p[e] > p[best])) {
                        best = e;
                    }
                }
                taken[best] = true;
                wantIds[r * topk + k] = best;
                wantWeights[r * topk + k] = p[best] / sum;
                chosen += p[best] / sum;
            }
            for (int k = 0; k < topk; k++) {
                wantWeights[r * topk + k] /= chosen;
            }
        }
        assertThat(got.ids).as("topk_ids").containsExactly(wantIds);
        for (int a = 0; a < assignments; a++) {
            assertThat((double) got.weights[a]).as("topk_weight[%d]", a).isCloseTo(wantWeights[a],
                    org.assertj.core.data.Offset.offset(2e-6));
        }
        int[] wantOffsets = new int[experts + 1];
        for (int id : wantIds) {
            wantOffsets[id + 1]++;
        }
        for (int e = 0; e < experts; e++) {
            wantOffsets[e + 1] += wantOffsets[e];
        }
        int[] wantSorted = new int[assignments];
        int[] cursor = wantOffsets.clone();
        for (int a = 0; a < assignments; a++) {
            wantSorted[cursor[wantIds[a]]++] = a;
        }
        assertThat(got.offsets).as("expert_offset").containsExactly(wantOffsets);
        assertThat(got.sorted).as("sorted_assign").containsExactly(wantSorted);
        return got;
    }
}
