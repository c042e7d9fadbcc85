package io.rewoo4j.runtime.cuda;

import static io.rewoo4j.runtime.cuda.CudaTestSupport.assertClose;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.downloadHalfs;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.gaussian;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.halfToFloat;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.nanFilled;
import static io.rewoo4j.runtime.cuda.CudaTestSupport.toHalf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rope_and_store_kv, attention_decode and attention_prefill against Java references.
 *
 * <ul>
 * <li>RoPE: q and k rotated in place exactly as {@link RotaryTables#rotate} (1e-6 relative), k and v stored in the
 * fp16 cache with round-to-nearest (within half an fp16 ulp of the Java-rotated value; v bit-exact).</li>
 * <li>Attention: against a double-precision softmax over the cache contents the device wrote and the q it rotated,
 * within 5e-5 absolute + 5e-4 relative (fp32 scores, exp2 and sums on the device), and prefill against decode row by
 * row within 2e-5 + 2e-4 (same arithmetic, different summation order).</li>
 * </ul>
 * The cache starts as NaN everywhere: a position outside a row's attended range that leaks into its result in any
 * way (even with zero weight) makes it NaN. Outputs are NaN-poisoned and their row padding must stay NaN.
 */
class AttentionKernelTest {
    private static final double THETA = 1_000_000.0;
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

    /** One layer's KV cache on the device, its rotary tables, and the shapes. */
    private final class Layer {
        final int heads;
        final int kvHeads;
        final int hd;
        final int ld;
        final int maxSeqs;
        final int maxPos;
        final RotaryTables rope;
        final DeviceBuffer cos;
        final DeviceBuffer sin;
        final DeviceBuffer k;
        final DeviceBuffer v;
        final Random random;

        Layer(int heads, int kvHeads, int hd, int ldPad, int maxSeqs, int maxPos, long seed) {
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.hd = hd;
            this.ld = width() + ldPad;
            this.maxSeqs = maxSeqs;
            this.maxPos = maxPos;
            this.rope = RotaryTables.compute(hd, THETA, maxPos);
            this.cos = ctx.upload(rope.cos());
            this.sin = ctx.upload(rope.sin());
            long cacheElements = (long) maxSeqs * maxPos * kvHeads * hd;
            this.k = ctx.allocateHalfs(cacheElements);
            this.v = ctx.allocateHalfs(cacheElements);
            ctx.fill(k, 0xFF); // fp16 NaN
            ctx.fill(v, 0xFF);
            this.random = new Random(seed);
        }

        int width() {
            return (heads + 2 * kvHeads) * hd;
        }

        int cacheIndex(int seq, int pos, int kvHead, int d) {
            return ((seq * maxPos + pos) * kvHeads + kvHead) * hd + d;
        }

        /** Random activation rows (q sharper than k so that the softmax is not flat). */
        float[] randomRows(int rows) {
            float[] qkv = new float[rows * ld];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < ld; i++) {
                    double sigma = i < heads * hd ? 1.5 : 1.0;
                    qkv[r * ld + i] = i < width() ? (float) (random.nextGaussian() * sigma) : Float.NaN;
                }
            }
            return qkv;
        }

        /**
         * Uploads {@code host} rows, rotates and stores them with rope_and_store_kv (positions given on the device),
         * checks the rotation and the stored cache entries, and returns the device rows (rotated).
         */
        DeviceBuffer store(float[] host, int rows, DeviceBuffer seqs, DeviceBuffer poss) {
            DeviceBuffer qkv = ctx.upload(host);
            CudaNative.ropeAndStoreKv(ctx.stream(), qkv.address(), ld, rows, heads, kvHeads, hd, seqs.address(),
                    poss.address(), cos.address(), sin.address(), k.address(), v.address(), maxSeqs, maxPos);
            int[] seq = ctx.downloadInts(seqs);
            int[] pos = ctx.downloadInts(poss);
            float[] rotated = ctx.downloadFloats(qkv);
            short[] kc = downloadHalfs(ctx, k);
            short[] vc = downloadHalfs(ctx, v);
            float[] expected = host.clone();
            for (int r = 0; r < rows; r++) {
                for (int h = 0; h < heads + kvHeads; h++) {
                    rope.rotate(expected, r * ld + h * hd, pos[r]);
                }
            }
            double[] want = new double[expected.length];
            for (int i = 0; i < want.length; i++) {
                want[i] = expected[i];
            }
            float[] got = rotated.clone();
            for (int i = 0; i < got.length; i++) {
                if (i % ld >= width()) {
                    if (!Float.isNaN(got[i])) {
                        throw new AssertionError("qkv padding [" + i / ld + "][" + i % ld + "] was written");
                    }
                    got[i] = 0f; // padding: NaN in and out
                    want[i] = 0;
                }
            }
            assertClose("rotated qkv", got, want, 1e-6, 1e-6);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < kvHeads; j++) {
                    for (int d = 0; d < hd; d++) {
                        int c = cacheIndex(seq[r], pos[r], j, d);
                        float kWant = expected[r * ld + (heads + j) * hd + d];
                        float kGot = halfToFloat(kc[c]);
                        if (!(Math.abs(kGot - kWant) <= 4.9e-4 * Math.abs(kWant) + 1e-7)) {
                            throw new AssertionError("k cache (seq " + seq[r] + ", pos " + pos[r] + ", head " + j
                                    + ", " + d + ") = " + kGot + ", expected fp16 of " + kWant);
                        }
                        short vWant = toHalf(host[r * ld + (heads + kvHeads + j) * hd + d]);
                        if (vc[c] != vWant) {
                            throw new AssertionError("v cache (seq " + seq[r] + ", pos " + pos[r] + ", head " + j
                                    + ", " + d + ") = " + halfToFloat(vc[c]) + ", expected " + halfToFloat(vWant));
                        }
                    }
                }
            }
            return qkv;
        }

        /** Stores random rows for positions {@code from .. to-1} of each sequence in {@code seqs}. */
        void history(int[] seqs, int[] ends) {
            List<int[]> rows = new ArrayList<>();
            for (int i = 0; i < seqs.length; i++) {
                for (int p = 0; p < ends[i]; p++) {
                    rows.add(new int[] {seqs[i], p});
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            int n = rows.size();
            int[] seq = new int[n];
            int[] pos = new int[n];
            for (int i = 0; i < n; i++) {
                seq[i] = rows.get(i)[0];
                pos[i] = rows.get(i)[1];
            }
            try (DeviceBuffer s = ctx.upload(seq); DeviceBuffer p = ctx.upload(pos)) {
                store(randomRows(n), n, s, p).close(); // only the cache entries are kept
            }
        }

        /** Double-precision attention of the rotated rows over the cache contents as stored on the device. */
        double[] reference(float[] rotated, int rows, int[] seq, int[] pos, int window, float scale) {
            short[] kc = downloadHalfs(ctx, k);
            short[] vc = downloadHalfs(ctx, v);
            int group = heads / kvHeads;
            double[] out = new double[rows * heads * hd];
            for (int r = 0; r < rows; r++) {
                int first = window > 0 ? Math.max(0, pos[r] - window + 1) : 0;
                int n = pos[r] - first + 1;
                for (int h = 0; h < heads; h++) {
                    int j = h / group;
                    double[] scores = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < n; t++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += (double) rotated[r * ld + h * hd + d]
                                    * halfToFloat(kc[cacheIndex(seq[r], first + t, j, d)]);
                        }
                        scores[t] = dot * scale;
                        max = Math.max(max, scores[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t < n; t++) {
                        scores[t] = Math.exp(scores[t] - max);
                        sum += scores[t];
                    }
                    for (int d = 0; d < hd; d++) {
                        double acc = 0;
                        for (int t = 0; t < n; t++) {
                            acc += scores[t] * halfToFloat(vc[cacheIndex(seq[r], first + t, j, d)]);
                        }
                        out[(r * heads + h) * hd + d] = acc / sum;
                    }
                }
            }
            return out;
        }

        /** The rows' outputs without padding, after checking the padding (ldo beyond heads * hd) stayed NaN. */
        float[] unpad(float[] out, int rows, int ldo) {
            int w = heads * hd;
            float[] packed = new float[rows * w];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(out, r * ldo, packed, r * w, w);
                for (int i = w; i < ldo; i++) {
                    if (!Float.isNaN(out[r * ldo + i])) {
                        throw new AssertionError("out padding [" + r + "][" + i + "] was written");
                    }
                }
            }
            return packed;
        }
    }

    static Stream<Arguments> decodes() {
        return Stream.of(
                // name, heads, kvHeads, headDim, window, ldPad, positions (row r is sequence r)
                Arguments.of("MHA hd128", 4, 4, 128, 0, 0, new int[] {0, 1, 37}),
                Arguments.of("GQA4 hd128", 8, 2, 128, 0, 4, new int[] {0, 5, 300}),
                Arguments.of("GQA4 hd128 window 16", 8, 2, 128, 16, 0, new int[] {3, 15, 16, 17, 200}),
                Arguments.of("GQA4 hd64 window 100 odd ld", 16, 4, 64, 100, 1, new int[] {0, 99, 100, 101, 150}),
                Arguments.of("GQA8 hd128", 8, 1, 128, 0, 0, new int[] {100, 0}),
                Arguments.of("GQA2 hd256", 4, 2, 256, 0, 0, new int[] {10, 63}),
                Arguments.of("GQA4 hd80 (generic head_dim)", 4, 1, 80, 0, 0, new int[] {0, 50}),
                Arguments.of("MHA hd128 long context 3000", 4, 4, 128, 0, 0, new int[] {2999, 0, 1500}),
                Arguments.of("GQA4 hd128 long context 3000 window 1024", 8, 2, 128, 1024, 0,
                        new int[] {2999, 1023, 1024, 2000}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodes")
    void decodeMatchesReference(String name, int heads, int kvHeads, int hd, int window, int ldPad, int[] positions) {
        int rows = positions.length;
        int maxPos = Arrays.stream(positions).max().getAsInt() + 1 + 7;
        Layer layer = new Layer(heads, kvHeads, hd, ldPad, rows, maxPos, name.hashCode());
        int[] seq = new int[rows];
        for (int r = 0; r < rows; r++) {
            seq[r] = r;
        }
        layer.history(seq, positions);
        DeviceBuffer seqs = ctx.upload(seq);
        DeviceBuffer poss = ctx.upload(positions);
        DeviceBuffer qkv = layer.store(layer.randomRows(rows), rows, seqs, poss);
        float scale = (float) (1.0 / Math.sqrt(hd));
        int ldo = heads * hd + 3;
        DeviceBuffer out = ctx.upload(nanFilled(rows * ldo));
        CudaNative.attentionDecode(ctx.stream(), qkv.address(), layer.ld, rows, heads, kvHeads, hd, seqs.address(),
                poss.address(), layer.k.address(), layer.v.address(), rows, maxPos, window, scale, out.address(),
                ldo);
        float[] got = layer.unpad(ctx.downloadFloats(out), rows, ldo);
        double[] want = layer.reference(ctx.downloadFloats(qkv), rows, seq, positions, window, scale);
        assertClose(name + " out", got, want, 5e-5, 5e-4);
    }

    static Stream<Arguments> prefills() {
        List<Arguments> cases = new ArrayList<>();
        for (int rows : new int[] {1, 63, 64, 65, 200}) {
            for (int start : new int[] {0, 37}) {
                cases.add(Arguments.of(rows, start, 8, 2, 128, 0, 4));
            }
        }
        cases.add(Arguments.of(200, 37, 4, 4, 64, 50, 0)); // MHA, sliding window inside the tile range
        cases.add(Arguments.of(130, 0, 16, 4, 64, 64, 1)); // window of exactly one key tile, odd ld
        cases.add(Arguments.of(65, 37, 4, 1, 80, 0, 0)); // generic head_dim
        cases.add(Arguments.of(64, 0, 2, 1, 256, 0, 0)); // largest head_dim
        cases.add(Arguments.of(100, 900, 8, 8, 32, 0, 0)); // small head_dim, long history
        return cases.stream();
    }

    @ParameterizedTest(name = "rows {0}, start {1}, heads {2}/{3}, hd {4}, window {5}, ldPad {6}")
    @MethodSource("prefills")
    void prefillMatchesDecodeAndReference(int rows, int start, int heads, int kvHeads, int hd, int window,
            int ldPad) {
        int maxSeqs = 2;
        int s = 1;
        int maxPos = start + rows + 5;
        Layer layer = new Layer(heads, kvHeads, hd, ldPad, maxSeqs, maxPos,
                rows * 1000L + start * 10L + hd + window);
        // another sequence's entries must not be read: fill sequence 0 too
        layer.history(new int[] {0, s}, new int[] {maxPos, start});
        DeviceBuffer seqs = ctx.allocateInts(rows);
        DeviceBuffer poss = ctx.allocateInts(rows);
        CudaNative.positionsFill(ctx.stream(), seqs.address(), poss.address(), rows, s, start);
        DeviceBuffer qkv = layer.store(layer.randomRows(rows), rows, seqs, poss);
        float scale = (float) (1.0 / Math.sqrt(hd));
        int ldo = heads * hd + 3;

        DeviceBuffer prefill = ctx.upload(nanFilled(rows * ldo));
        CudaNative.attentionPrefill(ctx.stream(), qkv.address(), layer.ld, rows, heads, kvHeads, hd, s, start,
                layer.k.address(), layer.v.address(), maxSeqs, maxPos, window, scale, prefill.address(), ldo);
        DeviceBuffer decode = ctx.upload(nanFilled(rows * ldo));
        CudaNative.attentionDecode(ctx.stream(), qkv.address(), layer.ld, rows, heads, kvHeads, hd, seqs.address(),
                poss.address(), layer.k.address(), layer.v.address(), maxSeqs, maxPos, window, scale,
                decode.address(), ldo);
        float[] p = layer.unpad(ctx.downloadFloats(prefill), rows, ldo);
        float[] d = layer.unpad(ctx.downloadFloats(decode), rows, ldo);

        int[] seq = ctx.downloadInts(seqs);
        int[] pos = ctx.downloadInts(poss);
        double[] want = layer.reference(ctx.downloadFloats(qkv), rows, seq, pos, window, scale);
        assertClose("prefill", p, want, 5e-5, 5e-4);
        assertClose("decode", d, want, 5e-5, 5e-4);
        double[] decodeAsDouble = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            decodeAsDouble[i] = d[i];
        }
        assertClose("prefill vs decode", p, decodeAsDouble, 2e-5, 2e-4);
    }
}
