package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * argmax_rows and sample_top_k: exact arg-max with ties to the lower index; sampling restricted to the top k (ties
 * at the cut keep the lower indices), deterministic for a seed and step, fresh after the step counter advances, and
 * distributed as softmax(logits / temperature) over the top k (chi-square bound). Outputs are poisoned with -1.
 */
class SamplingKernelTest {
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

    static Stream<Integer> vocabularies() {
        return Stream.of(1, 7, 1001, 32000, 32001);
    }

    /** Random rows plus crafted ties; vocabularies with and without the float4 path. */
    @ParameterizedTest(name = "vocab {0}")
    @MethodSource("vocabularies")
    void argmaxTakesTheLowestIndexAmongEqualMaxima(int vocab) {
        Random random = new Random(vocab);
        int rows = 7;
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        // row 1: three equal maxima; row 2: all equal; row 3: the maximum last; row 4: maxima at both ends;
        // row 5: all very negative, the maximum in the middle
        set(logits, vocab, 1, 100f, vocab / 2, vocab - 1, vocab / 3);
        Arrays.fill(logits, 2 * vocab, 3 * vocab, 0.25f);
        set(logits, vocab, 3, 50f, vocab - 1);
        set(logits, vocab, 4, 60f, 0, vocab - 1);
        Arrays.fill(logits, 5 * vocab, 6 * vocab, -1e30f);
        set(logits, vocab, 5, -1e29f, vocab / 2);
        int[] got = argmax(logits, rows, vocab);
        for (int r = 0; r < rows; r++) {
            assertThat(got[r]).as("row %d", r).isEqualTo(argmaxReference(logits, r, vocab));
        }
        if (vocab >= 3) {
            assertThat(got[1]).isEqualTo(Math.min(vocab / 3, vocab / 2));
        }
        assertThat(got[2]).isZero();
        assertThat(got[4]).isZero();
    }

    @Test
    void topKOfOneIsTheArgmax() {
        Random random = new Random(5);
        int rows = 9;
        int vocab = 32000;
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = random.nextInt(50); // many ties
        }
        int[] expected = argmax(logits, rows, vocab);
        int[] sampled = sample(logits, rows, vocab, 1, 0.7f, 1234L, 0);
        assertThat(sampled).containsExactly(expected);
        for (int r = 0; r < rows; r++) {
            assertThat(expected[r]).isEqualTo(argmaxReference(logits, r, vocab));
        }
    }

    @Test
    void sameSeedAndStepGiveTheSameTokensAndAdvancingTheStepGivesFreshOnes() {
        Random random = new Random(6);
        int rows = 256;
        int vocab = 4096;
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian();
        }
        DeviceBuffer dl = ctx.upload(logits);
        DeviceBuffer step = ctx.upload(new int[] {17});
        DeviceBuffer out = ctx.allocateInts(rows);
        int[] first = draw(dl, rows, vocab, 64, 1.0f, 42L, step, out);
        int[] again = draw(dl, rows, vocab, 64, 1.0f, 42L, step, out);
        assertThat(again).as("same seed and step").containsExactly(first);
        int[] otherSeed = draw(dl, rows, vocab, 64, 1.0f, 43L, step, out);
        assertThat(differences(first, otherSeed)).as("rows that change with the seed").isGreaterThan(rows / 2);

        CudaNative.countersAdvance(ctx.stream(), step.address(), 1, 1);
        int[] next = draw(dl, rows, vocab, 64, 1.0f, 42L, step, out);
        assertThat(differences(first, next)).as("rows that change with the step").isGreaterThan(rows / 2);
        // the step is read from device memory at launch: writing 18 directly gives the same draws
        ctx.write(step, new int[] {18});
        assertThat(draw(dl, rows, vocab, 64, 1.0f, 42L, step, out)).containsExactly(next);
    }

    @Test
    void drawsStayInTheTopK() {
        Random random = new Random(7);
        int rows = 512;
        int vocab = 5003;
        int k = 40;
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 2);
        }
        for (int step = 0; step < 3; step++) {
            int[] got = sample(logits, rows, vocab, k, 1.5f, 99L, step);
            for (int r = 0; r < rows; r++) {
                assertThat(topK(logits, r, vocab, k)).as("row %d", r).contains(got[r]);
            }
        }
    }

    /** Ten equal logits straddle the cut of k = 3: only the three lowest indices may be drawn, about equally. */
    @Test
    void tiesAtTheCutKeepTheLowerIndices() {
        int rows = 3000;
        int vocab = 1024;
        float[] logits = new float[rows * vocab];
        Arrays.fill(logits, -3f);
        for (int r = 0; r < rows; r++) {
            for (int i = 100; i < 110; i++) {
                logits[r * vocab + i] = 5f;
            }
        }
        int[] got = sample(logits, rows, vocab, 3, 1.0f, 5L, 0);
        int[] counts = new int[3];
        for (int t : got) {
            assertThat(t).isBetween(100, 102);
            counts[t - 100]++;
        }
        // expected 1000 each; a generous six-sigma band (sigma = sqrt(3000 * 1/3 * 2/3) = 25.8)
        for (int c : counts) {
            assertThat(c).isBetween(845, 1155);
        }
    }

    /**
     * 40,000 rows of the same logits, top 8 at temperature 0.8: the token counts follow softmax(l / T) over the top 8
     * (chi-square with 7 degrees of freedom below 40, exceeded with probability 1.3e-6).
     */
    @Test
    void drawsFollowTheTemperedSoftmaxOfTheTopK() {
        Random random = new Random(8);
        int rows = 40_000;
        int vocab = 256;
        int k = 8;
        float temperature = 0.8f;
        float[] row = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            row[i] = (float) (random.nextGaussian() * 1.5);
        }
        float[] logits = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, 0, logits, r * vocab, vocab);
        }
        int[] top = topKOrdered(row, vocab, k);
        double max = row[top[0]] / (double) temperature;
        double[] p = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(row[top[j]] / (double) temperature - max);
            sum += p[j];
        }
        int[] got = sample(logits, rows, vocab, k, temperature, 2024L, 3);
        int[] counts = new int[k];
        for (int t : got) {
            int j = indexOf(top, t);
            assertThat(j).as("token %d is in the top %d", t, k).isNotNegative();
            counts[j]++;
        }
        double chi2 = 0;
        for (int j = 0; j < k; j++) {
            double expected = rows * p[j] / sum;
            chi2 += (counts[j] - expected) * (counts[j] - expected) / expected;
        }
        assertThat(chi2).as("chi-square of %s against %s", Arrays.toString(counts), Arrays.toString(p))
                .isLessThan(40.0);
    }

    // ---- helpers ----

    private static void set(float[] logits, int vocab, int row, float value, int... indices) {
        for (int i : indices) {
            if (i >= 0 && i < vocab) {
                logits[row * vocab + i] = value;
            }
        }
    }

    private int[] argmax(float[] logits, int rows, int vocab) {
        DeviceBuffer dl = ctx.upload(logits);
        DeviceBuffer out = ctx.allocateInts(rows);
        ctx.fill(out, 0xFF);
        CudaNative.argmaxRows(ctx.stream(), dl.address(), rows, vocab, out.address());
        int[] got = ctx.downloadInts(out);
        dl.close();
        out.close();
        return got;
    }

    private int[] sample(float[] logits, int rows, int vocab, int k, float temperature, long seed, int stepValue) {
        DeviceBuffer dl = ctx.upload(logits);
        DeviceBuffer step = ctx.upload(new int[] {stepValue});
        DeviceBuffer out = ctx.allocateInts(rows);
        int[] got = draw(dl, rows, vocab, k, temperature, seed, step, out);
        dl.close();
        step.close();
        out.close();
        return got;
    }

    private int[] draw(DeviceBuffer logits, int rows, int vocab, int k, float temperature, long seed,
            DeviceBuffer step, DeviceBuffer out) {
        ctx.fill(out, 0xFF);
        CudaNative.sampleTopK(ctx.stream(), logits.address(), rows, vocab, k, temperature, seed, step.address(),
                out.address());
        int[] got = ctx.downloadInts(out);
        for (int r = 0; r < rows; r++) {
            assertThat(got[r]).as("out[%d] written", r).isBetween(0, vocab - 1);
        }
        return got;
    }

    private static int argmaxReference(float[] logits, int row, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[row * vocab + i] > logits[row * vocab + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Indices of the k largest logits of a row, by descending logit then ascending index. */
    private static int[] topKOrdered(float[] logits, int vocab, int k) {
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(logits[b], logits[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] top = new int[k];
        for (int j = 0; j < k; j++) {
            top[j] = order[j];
        }
        return top;
    }

    private static Set<Integer> topK(float[] logits, int row, int vocab, int k) {
        float[] one = Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab);
        Set<Integer> set = new HashSet<>();
        for (int t : topKOrdered(one, vocab, k)) {
            set.add(t);
        }
        return set;
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static int differences(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }
}
