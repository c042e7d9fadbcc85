package io.rewoo4j.runtime.gptq;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.rewoo4j.runtime.safetensors.DType;
import io.rewoo4j.runtime.safetensors.Float16;

/**
 * The arithmetic over a {@link PackedGptq} layout, one range of output tiles at a time (tiles write disjoint outputs
 * and sum in a fixed order, so results do not depend on how tiles are spread over threads). This class is the
 * scalar path; {@code VectorGptqKernel} overrides the one-row product with {@code jdk.incubator.vector} code where
 * that module is present ({@link #best()}).
 *
 * <p>Per output o and group g: {@code s·(Σ_i q_i·x_i) − s·z·(Σ_i x_i)}; the inner sum runs over whole 32-input
 * blocks in float, the group sums of x are computed once per call and shared by every output.
 */
class GptqKernel {
    static final int LANES = PackedGptq.LANES;
    static final int BLOCK = PackedGptq.BLOCK;

    private static final GptqKernel SCALAR = new GptqKernel();
    private static volatile GptqKernel best;

    String name() {
        return "scalar";
    }

    /** The scalar path. */
    static GptqKernel scalar() {
        return SCALAR;
    }

    /**
     * The Vector API path when {@code jdk.incubator.vector} is in the boot layer (run with
     * {@code --add-modules jdk.incubator.vector}) and the system property {@code rewoo.runtime.cpu.vector} is not
     * {@code false}; otherwise the scalar path.
     */
    static GptqKernel best() {
        GptqKernel b = best;
        if (b == null) {
            b = vector();
            if (b == null || !Boolean.parseBoolean(System.getProperty("rewoo.runtime.cpu.vector", "true"))) {
                b = SCALAR;
            }
            best = b;
        }
        return b;
    }

    /** The Vector API path, or null where the module is absent or the hardware vectors do not fit a tile. */
    static GptqKernel vector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            GptqKernel k = (GptqKernel) Class.forName("io.rewoo4j.runtime.gptq.VectorGptqKernel")
                    .getDeclaredConstructor().newInstance();
            return k.usable() ? k : null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    boolean usable() {
        return true;
    }

    /** One-row activations in slot order, as {@link #matvecTiles} wants them. */
    float[] prepare(PackedGptq p, float[] xp) {
        return xp;
    }

    /** One input row: {@code y[o] = Σ_g …} for the outputs of tiles {@code [t0, t1)}. */
    void matvecTiles(PackedGptq p, float[] xp, float[] xsum, float[] bias, float[] y, int t0, int t1) {
        float[] acc = new float[LANES];
        float[] res = new float[LANES];
        int[] packed = p.packed;
        for (int t = t0; t < t1; t++) {
            Arrays.fill(res, 0f);
            for (int g = 0; g < p.groups; g++) {
                int b0 = p.groupBlock[g];
                int b1 = p.groupBlock[g + 1];
                if (b0 == b1) {
                    continue;
                }
                Arrays.fill(acc, 0f);
                for (int blk = b0; blk < b1; blk++) {
                    int at = p.index(t, blk, 0);
                    int xi = blk * BLOCK;
                    switch (p.bits) {
                        case 4 -> dot4(packed, at, xp, xi, acc);
                        case 8 -> dot8(packed, at, xp, xi, acc);
                        default -> dotAny(p, at, xp, xi, acc);
                    }
                }
                int so = (t * p.groups + g) * LANES;
                float xs = xsum[g];
                for (int l = 0; l < LANES; l++) {
                    res[l] += p.scale[so + l] * acc[l] - p.scaledZero[so + l] * xs;
                }
            }
            store(p, res, 0, bias, y, 0, t);
        }
    }

    static void store(PackedGptq p, float[] res, int ro, float[] bias, float[] y, int yo, int t) {
        int o0 = t * LANES;
        int n = Math.min(LANES, p.out - o0);
        for (int l = 0; l < n; l++) {
            y[yo + o0 + l] = res[ro + l] + (bias == null ? 0f : bias[o0 + l]);
        }
    }

    private static void dot4(int[] packed, int at, float[] xp, int xi, float[] acc) {
        for (int w = 0; w < 4; w++) {
            int x = xi + 8 * w;
            float x0 = xp[x], x1 = xp[x + 1], x2 = xp[x + 2], x3 = xp[x + 3];
            float x4 = xp[x + 4], x5 = xp[x + 5], x6 = xp[x + 6], x7 = xp[x + 7];
            int base = at + w * LANES;
            for (int l = 0; l < LANES; l++) {
                int v = packed[base + l];
                acc[l] += ((v & 15) * x0 + ((v >>> 4) & 15) * x1) + (((v >>> 8) & 15) * x2 + ((v >>> 12) & 15) * x3)
                        + ((((v >>> 16) & 15) * x4 + ((v >>> 20) & 15) * x5)
                        + (((v >>> 24) & 15) * x6 + (v >>> 28) * x7));
            }
        }
    }

    private static void dot8(int[] packed, int at, float[] xp, int xi, float[] acc) {
        for (int w = 0; w < 8; w++) {
            int x = xi + 4 * w;
            float x0 = xp[x], x1 = xp[x + 1], x2 = xp[x + 2], x3 = xp[x + 3];
            int base = at + w * LANES;
            for (int l = 0; l < LANES; l++) {
                int v = packed[base + l];
                acc[l] += ((v & 255) * x0 + ((v >>> 8) & 255) * x1) + (((v >>> 16) & 255) * x2 + (v >>> 24) * x3);
            }
        }
    }

    private static void dotAny(PackedGptq p, int at, float[] xp, int xi, float[] acc) {
        for (int l = 0; l < LANES; l++) {
            float s = 0f;
            for (int k = 0; k < BLOCK; k++) {
                s += p.field(at, l, k) * xp[xi + k];
            }
            acc[l] += s;
        }
    }

    /**
     * Several input rows (prefill): each group of a tile is decoded once into a small float buffer (in L1) and
     * reused by every row. Each row's arithmetic is exactly that of {@link #matvecTiles} (same products, same
     * summation order), so a batched product equals row-by-row products bit for bit.
     */
    void matmulTiles(PackedGptq p, float[] xp, int rows, float[] xsum, float[] bias, float[] y, int t0, int t1) {
        float[] deq = new float[maxGroupBlocks(p) * BLOCK * LANES];
        float[] res = new float[rows * LANES];
        float[] acc = new float[LANES];
        for (int t = t0; t < t1; t++) {
            Arrays.fill(res, 0f);
            for (int g = 0; g < p.groups; g++) {
                int b0 = p.groupBlock[g];
                int b1 = p.groupBlock[g + 1];
                if (b0 == b1) {
                    continue;
                }
                decode(p, t, b0, b1, deq, false);
                int so = (t * p.groups + g) * LANES;
                for (int r = 0; r < rows; r++) {
                    Arrays.fill(acc, 0f);
                    int xo = r * p.slots + b0 * BLOCK;
                    for (int blk = 0; blk < b1 - b0; blk++) {
                        int d = blk * BLOCK * LANES;
                        int xi = xo + blk * BLOCK;
                        switch (p.bits) {
                            case 4 -> rows4(deq, d, xp, xi, acc);
                            case 8 -> rows8(deq, d, xp, xi, acc);
                            default -> rowsAny(deq, d, xp, xi, acc);
                        }
                    }
                    float xs = xsum[r * p.groups + g];
                    int ro = r * LANES;
                    for (int l = 0; l < LANES; l++) {
                        res[ro + l] += p.scale[so + l] * acc[l] - p.scaledZero[so + l] * xs;
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                store(p, res, r * LANES, bias, y, r * p.out, t);
            }
        }
    }

    static int maxGroupBlocks(PackedGptq p) {
        int max = 0;
        for (int g = 0; g < p.groups; g++) {
            max = Math.max(max, p.groupBlock[g + 1] - p.groupBlock[g]);
        }
        return max;
    }

    /**
     * Bit offset at which the vector kernel reads slot k of a block in place (masked, not shifted): the field's
     * offset in its word when it lies wholly inside the word and below its top bit, else 0 (top field, 3-bit
     * straddlers: shifted down).
     */
    static int inPlaceShift(int bits, int k) {
        int sh = (k * bits) & 31;
        return sh + bits >= 32 ? 0 : sh;
    }

    /**
     * Blocks {@code [b0, b1)} of tile t as floats {@code [slot][lane]}; {@code inPlace}: fields keep their bit
     * position ({@code q·2^inPlaceShift}) as the vector kernel reads them.
     */
    static void decode(PackedGptq p, int t, int b0, int b1, float[] deq, boolean inPlace) {
        for (int blk = b0; blk < b1; blk++) {
            int at = p.index(t, blk, 0);
            int d = (blk - b0) * BLOCK * LANES;
            for (int k = 0; k < BLOCK; k++) {
                int shift = inPlace ? inPlaceShift(p.bits, k) : 0;
                for (int l = 0; l < LANES; l++) {
                    deq[d + k * LANES + l] = p.field(at, l, k) << shift;
                }
            }
        }
    }

    private static void rows4(float[] deq, int d, float[] xp, int xi, float[] acc) {
        for (int w = 0; w < 4; w++) {
            int x = xi + 8 * w;
            float x0 = xp[x], x1 = xp[x + 1], x2 = xp[x + 2], x3 = xp[x + 3];
            float x4 = xp[x + 4], x5 = xp[x + 5], x6 = xp[x + 6], x7 = xp[x + 7];
            int q = d + 8 * w * LANES;
            for (int l = 0; l < LANES; l++) {
                int e = q + l;
                acc[l] += (deq[e] * x0 + deq[e + LANES] * x1) + (deq[e + 2 * LANES] * x2 + deq[e + 3 * LANES] * x3)
                        + ((deq[e + 4 * LANES] * x4 + deq[e + 5 * LANES] * x5)
                        + (deq[e + 6 * LANES] * x6 + deq[e + 7 * LANES] * x7));
            }
        }
    }

    private static void rows8(float[] deq, int d, float[] xp, int xi, float[] acc) {
        for (int w = 0; w < 8; w++) {
            int x = xi + 4 * w;
            float x0 = xp[x], x1 = xp[x + 1], x2 = xp[x + 2], x3 = xp[x + 3];
            int q = d + 4 * w * LANES;
            for (int l = 0; l < LANES; l++) {
                int e = q + l;
                acc[l] += (deq[e] * x0 + deq[e + LANES] * x1) + (deq[e + 2 * LANES] * x2 + deq[e + 3 * LANES] * x3);
            }
        }
    }

    private static void rowsAny(float[] deq, int d, float[] xp, int xi, float[] acc) {
        for (int l = 0; l < LANES; l++) {
            float s = 0f;
            for (int k = 0; k < BLOCK; k++) {
                s += deq[d + k * LANES + l] * xp[xi + k];
            }
            acc[l] += s;
        }
    }

    // ---- dense layers (DenseLinear) ----

    /** Elements {@code [elem, elem + n)} of a little-endian F16/BF16/F32 tensor, widened into {@code row[ro…]}. */
    void widen(ByteBuffer bytes, DType type, int elem, float[] row, int ro, int n) {
        if (type == DType.F32) {
            for (int i = 0; i < n; i++) {
                row[ro + i] = bytes.getFloat((elem + i) * 4);
            }
        } else if (type == DType.F16) {
            for (int i = 0; i < n; i++) {
                row[ro + i] = Float16.toFloat(bytes.getShort((elem + i) * 2));
            }
        } else {
            for (int i = 0; i < n; i++) {
                row[ro + i] = Float16.bf16ToFloat(bytes.getShort((elem + i) * 2));
            }
        }
    }

    /** {@code Σ_{i<n} w[i]·x[xo + i]}, summed in a fixed order. */
    float dot(float[] w, float[] x, int xo, int n) {
        float a0 = 0f;
        float a1 = 0f;
        float a2 = 0f;
        float a3 = 0f;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            a0 += w[i] * x[xo + i];
            a1 += w[i + 1] * x[xo + i + 1];
            a2 += w[i + 2] * x[xo + i + 2];
            a3 += w[i + 3] * x[xo + i + 3];
        }
        for (; i < n; i++) {
            a0 += w[i] * x[xo + i];
        }
        return (a0 + a1) + (a2 + a3);
    }
}
