package io.rewoo4j.runtime.cuda;

import static io.rewoo4j.runtime.cuda.CudaTestSupport.assertClose;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.gaussian;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.halfToFloat;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.nanFilled;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.randomFloats;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.toHalfs;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.uploadHalfs;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rms_norm, embed_rows, positions_fill and counters_advance against Java references, and a CUDA graph that replays
 * embed + norm. Outputs are NaN-poisoned before each launch; padding between rows must stay untouched.
 */
class NormKernelTest {
    private static final float EPS = 1e-5f;
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

    static Stream<Arguments> norms() {
        List<Arguments> cases = new ArrayList<>();
        for (int dim : new int[] {127, 128, 129, 4096}) {
            for (int rows : new int[] {1, 3, 17}) {
                cases.add(Arguments.of(dim, rows, 0, 0, false));
            }
            // padded rows (float4-unfriendly strides), and in place
            cases.add(Arguments.of(dim, 5, 3, 7, false));
            cases.add(Arguments.of(dim, 5, 4, 4, true));
            cases.add(Arguments.of(dim, 4, 0, 0, true));
        }
        return cases.stream();
    }

    /**
     * y = w · x / sqrt(mean(x²) + eps) against a double reference. fp32 with a block-tree sum of squares: relative
     * error a few 1e-7 in practice; bound 1e-5 relative + 1e-6 absolute.
     */
    @ParameterizedTest(name = "dim {0}, rows {1}, padX {2}, padY {3}, inPlace {4}")
    @MethodSource("norms")
    void rmsNormMatchesDoubleReference(int dim, int rows, int padX, int padY, boolean inPlace) {
        Random random = new Random(dim * 31L + rows * 7L + padX + (inPlace ? 1000 : 0));
        int ldx = dim + padX;
        int ldy = inPlace ? ldx : dim + padY;
        float[] x = gaussian(random, rows * ldx, 2.0);
        for (int i = 0; i < x.length; i++) {
            x[i] += 0.3f; // not centred
            if (i % ldx >= dim) {
                x[i] = 12345f; // padding sentinel
            }
        }
        float[] w = randomFloats(random, dim, 0.5f, 1.5f);
        double[] expected = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int d = 0; d < dim; d++) {
                ss += (double) x[r * ldx + d] * x[r * ldx + d];
            }
            double inv = 1.0 / Math.sqrt(ss / dim + EPS);
            for (int d = 0; d < dim; d++) {
                expected[r * dim + d] = w[d] * (x[r * ldx + d] * inv);
            }
        }

        DeviceBuffer dx = ctx.upload(x);
        DeviceBuffer dw = ctx.upload(w);
        DeviceBuffer dy = inPlace ? dx : ctx.upload(nanFilled(rows * ldy));
        CudaNative.rmsNorm(ctx.stream(), dx.address(), ldx, dw.address(), rows, dim, EPS, dy.address(), ldy);
        float[] y = ctx.downloadFloats(dy);

        float[] written = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(y, r * ldy, written, r * dim, dim);
            for (int d = dim; d < ldy; d++) {
                float pad = y[r * ldy + d];
                if (inPlace ? pad != 12345f : !Float.isNaN(pad)) {
                    throw new AssertionError("padding y[" + r + "][" + d + "] was written: " + pad);
                }
            }
        }
        assertClose("y", written, expected, 1e-6, 1e-5);
    }

    /** Rows of the fp16 table widened exactly; ids outside [0, vocab) give zero rows. */
    @ParameterizedTest(name = "hidden {0}")
    @MethodSource("hiddenSizes")
    void embedRowsCopiesTableRowsExactly(int hidden) {
        Random random = new Random(hidden);
        int vocab = 1000;
        short[] table = toHalfs(gaussian(random, vocab * hidden, 1.0));
        int[] tokens = {0, 999, 5, 5, -1, 1000, 123, Integer.MIN_VALUE, 998};
        int rows = tokens.length;
        DeviceBuffer dt = uploadHalfs(ctx, table);
        DeviceBuffer dtok = ctx.upload(tokens);
        DeviceBuffer dx = ctx.upload(nanFilled(rows * hidden));
        CudaNative.embedRows(ctx.stream(), dt.address(), vocab, hidden, dtok.address(), rows, dx.address());
        float[] x = ctx.downloadFloats(dx);
        for (int r = 0; r < rows; r++) {
            int t = tokens[r];
            for (int d = 0; d < hidden; d++) {
                float want = t >= 0 && t < vocab ? halfToFloat(table[t * hidden + d]) : 0f;
                float got = x[r * hidden + d];
                if (Float.floatToIntBits(got) != Float.floatToIntBits(want)) {
                    throw new AssertionError("x[" + r + "][" + d + "] = " + got + ", expected " + want
                            + " (token " + t + ")");
                }
            }
        }
    }

    static Stream<Integer> hiddenSizes() {
        return Stream.of(1, 127, 128, 129, 4096);
    }

    @ParameterizedTest(name = "rows {0}")
    @MethodSource("positionRows")
    void positionsFillWritesSeqAndConsecutivePositions(int rows) {
        DeviceBuffer seq = ctx.allocateInts(rows);
        DeviceBuffer pos = ctx.allocateInts(rows);
        ctx.fill(seq, 0xFF);
        ctx.fill(pos, 0xFF);
        CudaNative.positionsFill(ctx.stream(), seq.address(), pos.address(), rows, 3, 11);
        int[] s = ctx.downloadInts(seq);
        int[] p = ctx.downloadInts(pos);
        for (int r = 0; r < rows; r++) {
            assertThat(s[r]).as("seq[%d]", r).isEqualTo(3);
            assertThat(p[r]).as("pos[%d]", r).isEqualTo(11 + r);
        }
    }

    static Stream<Integer> positionRows() {
        return Stream.of(1, 37, 5000);
    }

    @ParameterizedTest(name = "n {0}")
    @MethodSource("positionRows")
    void countersAdvanceAddsToEveryCounter(int n) {
        Random random = new Random(n);
        int[] start = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = random.nextInt(1_000_000) - 500_000;
        }
        DeviceBuffer c = ctx.upload(start);
        CudaNative.countersAdvance(ctx.stream(), c.address(), n, 1);
        CudaNative.countersAdvance(ctx.stream(), c.address(), n, -3);
        int[] got = ctx.downloadInts(c);
        for (int i = 0; i < n; i++) {
            assertThat(got[i]).as("counter %d", i).isEqualTo(start[i] - 2);
        }
    }

    /**
     * Captures embed + rms_norm + a counter increment into a graph: capturing runs nothing; each replay reads the
     * token ids current at replay time and gives bit for bit what direct launches give.
     */
    @Test
    void capturedGraphReplaysEmbedAndNorm() {
        Random random = new Random(99);
        int vocab = 50;
        int hidden = 256;
        int rows = 4;
        short[] table = toHalfs(gaussian(random, vocab * hidden, 1.0));
        float[] w = randomFloats(random, hidden, 0.5f, 1.5f);
        DeviceBuffer dt = uploadHalfs(ctx, table);
        DeviceBuffer dw = ctx.upload(w);
        DeviceBuffer tokens = ctx.upload(new int[] {1, 2, 3, 4});
        DeviceBuffer x = ctx.upload(nanFilled(rows * hidden));
        DeviceBuffer y = ctx.upload(nanFilled(rows * hidden));
        DeviceBuffer counter = ctx.upload(new int[] {0});
        long s = ctx.stream();

        CudaGraph graph = ctx.captureGraph(() -> {
            CudaNative.embedRows(s, dt.address(), vocab, hidden, tokens.address(), rows, x.address());
            CudaNative.rmsNorm(s, x.address(), hidden, dw.address(), rows, hidden, EPS, y.address(), hidden);
            CudaNative.countersAdvance(s, counter.address(), 1, 1);
        });
        for (float v : ctx.downloadFloats(y)) {
            assertThat(v).as("nothing runs while capturing").isNaN();
        }
        assertThat(ctx.downloadInts(counter)).containsExactly(0);

        graph.launch();
        float[] first = ctx.downloadFloats(y);
        assertClose("y (tokens 1..4)", first, reference(table, w, hidden, new int[] {1, 2, 3, 4}), 1e-6, 1e-5);

        ctx.write(tokens, new int[] {49, 0, 7, 7});
        ctx.fill(y, 0xFF);
        graph.launch();
        float[] second = ctx.downloadFloats(y);
        assertClose("y (tokens 49 0 7 7)", second, reference(table, w, hidden, new int[] {49, 0, 7, 7}), 1e-6,
                1e-5);
        graph.launch();
        assertThat(ctx.downloadFloats(y)).as("replay is deterministic").containsExactly(second);
        assertThat(ctx.downloadInts(counter)).containsExactly(3);

        // direct launches give the same bits
        ctx.fill(y, 0xFF);
        CudaNative.embedRows(s, dt.address(), vocab, hidden, tokens.address(), rows, x.address());
        CudaNative.rmsNorm(s, x.address(), hidden, dw.address(), rows, hidden, EPS, y.address(), hidden);
        assertThat(ctx.downloadFloats(y)).containsExactly(second);

        graph.close();
        assertThat(graph.isClosed()).isTrue();
    }

    private static double[] reference(short[] table, float[] w, int hidden, int[] tokens) {
        double[] out = new double[tokens.length * hidden];
        for (int r = 0; r < tokens.length; r++) {
            double ss = 0;
            for (int d = 0; d < hidden; d++) {
                double v = halfToFloat(table[tokens[r] * hidden + d]);
                ss += v * v;
            }
            double inv = 1.0 / Math.sqrt(ss / hidden + EPS);
            for (int d = 0; d < hidden; d++) {
                out[r * hidden + d] = w[d] * (halfToFloat(table[tokens[r] * hidden + d]) * inv);
            }
        }
        return out;
    }
}
