package io.rewoo4j.runtime.gptq;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.rewoo4j.runtime.safetensors.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GptqKernel} with {@code jdk.incubator.vector}: vectorised across the 16 outputs of a tile (one vector of
 * packed words per block word, broadcast activations, FMA). Loaded only by {@link GptqKernel#vector()} after
 * checking that the module is in the boot layer; never referenced directly.
 *
 * <p>A field at bit offset {@code sh} that lies wholly inside its word, below the top bit, is isolated with a mask in
 * place ({@code v & (m << sh)}, exact in float since it has at most 8 significant bits) and multiplied by
 * {@code x·2^(−sh)}, prepared once per call ({@link GptqKernel#inPlaceShift}); a word's top field is a plain shift,
 * and the two straddling 3-bit values (10 and 21) are shifted, masked and OR-ed. That saves a shift per field.
 */
final class VectorGptqKernel extends GptqKernel {
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int VL = FS.length();
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(VL * 16));

    @Override
    String name() {
        return "vector(" + VL + " lanes)";
    }

    @Override
    boolean usable() {
        return IS.length() == VL && VL >= 4 && LANES % VL == 0;
    }

    @Override
    float[] prepare(PackedGptq p, float[] xp) {
        float[] xs = new float[xp.length];
        for (int s = 0; s < xp.length; s++) {
            xs[s] = Math.scalb(xp[s], -inPlaceShift(p.bits, s % BLOCK));
        }
        return xs;
    }

    @Override
    void matvecTiles(PackedGptq p, float[] xs, float[] xsum, float[] bias, float[] y, int t0, int t1) {
        float[] tmp = new float[LANES];
        int[] packed = p.packed;
        for (int t = t0; t < t1; t++) {
            for (int sub = 0; sub < LANES; sub += VL) {
                FloatVector res = FloatVector.zero(FS);
                for (int g = 0; g < p.groups; g++) {
                    int b0 = p.groupBlock[g];
                    int b1 = p.groupBlock[g + 1];
                    if (b0 == b1) {
                        continue;
                    }
                    int at = p.index(t, b0, 0) + sub;
                    int xi = b0 * BLOCK;
                    int n = b1 - b0;
                    FloatVector acc = switch (p.bits) {
                        case 4 -> dot4(packed, at, xs, xi, n);
                        case 8 -> dot8(packed, at, xs, xi, n);
                        case 2 -> dot2(packed, at, xs, xi, n);
                        default -> dot3(packed, at, xs, xi, n);
                    };
                    int so = (t * p.groups + g) * LANES + sub;
                    res = acc.fma(FloatVector.fromArray(FS, p.scale, so), res);
                    res = FloatVector.fromArray(FS, p.scaledZero, so).fma(FloatVector.broadcast(FS, -xsum[g]), res);
                }
                int o0 = t * LANES + sub;
                if (o0 + VL <= p.out) {
                    if (bias != null) {
                        res = res.add(FloatVector.fromArray(FS, bias, o0));
                    }
                    res.intoArray(y, o0);
                } else {
                    res.intoArray(tmp, 0);
                    for (int l = 0; o0 + l < p.out && l < VL; l++) {
                        y[o0 + l] = tmp[l] + (bias == null ? 0f : bias[o0 + l]);
                    }
                }
            }
        }
    }

    private static FloatVector f(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    private static FloatVector x(float[] xs, int i) {
        return FloatVector.broadcast(FS, xs[i]);
    }

    private static FloatVector dot4(int[] packed, int at, float[] xs, int xi, int blocks) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int w = 0, words = blocks * 4; w < words; w++, at += LANES, xi += 8) {
            IntVector v = IntVector.fromArray(IS, packed, at);
            a0 = f(v.and(0xF)).fma(x(xs, xi), a0);
            a1 = f(v.and(0xF0)).fma(x(xs, xi + 1), a1);
            a2 = f(v.and(0xF00)).fma(x(xs, xi + 2), a2);
            a3 = f(v.and(0xF000)).fma(x(xs, xi + 3), a3);
            a0 = f(v.and(0xF0000)).fma(x(xs, xi + 4), a0);
            a1 = f(v.and(0xF00000)).fma(x(xs, xi + 5), a1);
            a2 = f(v.and(0xF000000)).fma(x(xs, xi + 6), a2);
            a3 = f(v.lanewise(VectorOperators.LSHR, 28)).fma(x(xs, xi + 7), a3);
        }
        return a0.add(a1).add(a2.add(a3));
    }

    private static FloatVector dot8(int[] packed, int at, float[] xs, int xi, int blocks) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int w = 0, words = blocks * 8; w < words; w++, at += LANES, xi += 4) {
            IntVector v = IntVector.fromArray(IS, packed, at);
            a0 = f(v.and(0xFF)).fma(x(xs, xi), a0);
            a1 = f(v.and(0xFF00)).fma(x(xs, xi + 1), a1);
            a2 = f(v.and(0xFF0000)).fma(x(xs, xi + 2), a2);
            a3 = f(v.lanewise(VectorOperators.LSHR, 24)).fma(x(xs, xi + 3), a3);
        }
        return a0.add(a1).add(a2.add(a3));
    }

    private static FloatVector dot2(int[] packed, int at, float[] xs, int xi, int blocks) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int w = 0, words = blocks * 2; w < words; w++, at += LANES, xi += 16) {
            IntVector v = IntVector.fromArray(IS, packed, at);
            for (int j = 0; j < 12; j += 4) {
                a0 = f(v.and(3 << (2 * j))).fma(x(xs, xi + j), a0);
                a1 = f(v.and(3 << (2 * j + 2))).fma(x(xs, xi + j + 1), a1);
                a2 = f(v.and(3 << (2 * j + 4))).fma(x(xs, xi + j + 2), a2);
                a3 = f(v.and(3 << (2 * j + 6))).fma(x(xs, xi + j + 3), a3);
            }
            a0 = f(v.and(3 << 24)).fma(x(xs, xi + 12), a0);
            a1 = f(v.and(3 << 26)).fma(x(xs, xi + 13), a1);
            a2 = f(v.and(3 << 28)).fma(x(xs, xi + 14), a2);
            a3 = f(v.lanewise(VectorOperators.LSHR, 30)).fma(x(xs, xi + 15), a3);
        }
        return a0.add(a1).add(a2.add(a3));
    }

    /** 3 bits: 32 values in 3 words per block; values 10 and 21 straddle words. */
    private static FloatVector dot3(int[] packed, int at, float[] xp, int xi, int blocks) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        for (int b = 0; b < blocks; b++, at += 3 * LANES, xi += BLOCK) {
            IntVector v0 = IntVector.fromArray(IS, packed, at);
            IntVector v1 = IntVector.fromArray(IS, packed, at + LANES);
            IntVector v2 = IntVector.fromArray(IS, packed, at + 2 * LANES);
            // fields wholly inside a word are masked in place (x pre-scaled); 10, 21 and 31 are shifted down
            for (int k = 0; k < 10; k += 2) {
                a0 = f(v0.and(7 << (3 * k))).fma(x(xp, xi + k), a0);
                a1 = f(v0.and(7 << (3 * k + 3))).fma(x(xp, xi + k + 1), a1);
            }
            IntVector v10 = v0.lanewise(VectorOperators.LSHR, 30).or(v1.and(1).lanewise(VectorOperators.LSHL, 2));
            a0 = f(v10).fma(x(xp, xi + 10), a0);
            for (int k = 11; k < 21; k += 2) {
                a1 = f(v1.and(7 << (3 * k - 32))).fma(x(xp, xi + k), a1);
                a0 = f(v1.and(7 << (3 * k - 29))).fma(x(xp, xi + k + 1), a0);
            }
            IntVector v21 = v1.lanewise(VectorOperators.LSHR, 31).or(v2.and(3).lanewise(VectorOperators.LSHL, 1));
            a1 = f(v21).fma(x(xp, xi + 21), a1);
            for (int k = 22; k < 30; k += 2) {
                a0 = f(v2.and(7 << (3 * k - 64))).fma(x(xp, xi + k), a0);
                a1 = f(v2.and(7 << (3 * k - 61))).fma(x(xp, xi + k + 1), a1);
            }
            a0 = f(v2.and(7 << 26)).fma(x(xp, xi + 30), a0);
            a1 = f(v2.lanewise(VectorOperators.LSHR, 29)).fma(x(xp, xi + 31), a1);
        }
        return a0.add(a1);
    }

    /**
     * Prefill: each group of a tile decoded once ({@link GptqKernel#decode}, fields kept in place as
     * {@link #matvecTiles} reads them) and reused by every row, with the same accumulators in the same order as the
     * one-row kernels (slot k goes to accumulator k mod 4, k mod 2 for 3 bits), so rows equal matvec bit for bit.
     */
    @Override
    void matmulTiles(PackedGptq p, float[] xs, int rows, float[] xsum, float[] bias, float[] y, int t0, int t1) {
        float[] deq = new float[maxGroupBlocks(p) * BLOCK * LANES];
        float[] res = new float[rows * LANES];
        float[] tmp = new float[LANES];
        boolean three = 32 % p.bits != 0;
        for (int t = t0; t < t1; t++) {
            java.util.Arrays.fill(res, 0f);
            for (int g = 0; g < p.groups; g++) {
                int b0 = p.groupBlock[g];
                int b1 = p.groupBlock[g + 1];
                int n = (b1 - b0) * BLOCK;
                if (n == 0) {
                    continue;
                }
                decode(p, t, b0, b1, deq, true);
                int so = (t * p.groups + g) * LANES;
                for (int r = 0; r < rows; r++) {
                    int xo = r * p.slots + b0 * BLOCK;
                    for (int sub = 0; sub < LANES; sub += VL) {
                        FloatVector acc;
                        if (three) {
                            FloatVector a0 = FloatVector.zero(FS);
                            FloatVector a1 = a0;
                            for (int k = 0; k < n; k += 2) {
                                a0 = FloatVector.fromArray(FS, deq, k * LANES + sub).fma(x(xs, xo + k), a0);
                                a1 = FloatVector.fromArray(FS, deq, (k + 1) * LANES + sub).fma(x(xs, xo + k + 1), a1);
                            }
                            acc = a0.add(a1);
                        } else {
                            FloatVector a0 = FloatVector.zero(FS);
                            FloatVector a1 = a0;
                            FloatVector a2 = a0;
                            FloatVector a3 = a0;
                            for (int k = 0; k < n; k += 4) {
                                int e = k * LANES + sub;
                                a0 = FloatVector.fromArray(FS, deq, e).fma(x(xs, xo + k), a0);
                                a1 = FloatVector.fromArray(FS, deq, e + LANES).fma(x(xs, xo + k + 1), a1);
                                a2 = FloatVector.fromArray(FS, deq, e + 2 * LANES).fma(x(xs, xo + k + 2), a2);
                                a3 = FloatVector.fromArray(FS, deq, e + 3 * LANES).fma(x(xs, xo + k + 3), a3);
                            }
                            acc = a0.add(a1).add(a2.add(a3));
                        }
                        int ro = r * LANES + sub;
                        FloatVector rv = FloatVector.fromArray(FS, res, ro);
                        rv = acc.fma(FloatVector.fromArray(FS, p.scale, so + sub), rv);
                        rv = FloatVector.fromArray(FS, p.scaledZero, so + sub)
                                .fma(FloatVector.broadcast(FS, -xsum[r * p.groups + g]), rv);
                        rv.intoArray(res, ro);
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int sub = 0; sub < LANES; sub += VL) {
                    FloatVector rv = FloatVector.fromArray(FS, res, r * LANES + sub);
                    int o0 = t * LANES + sub;
                    int yo = r * p.out + o0;
                    if (o0 + VL <= p.out) {
                        if (bias != null) {
                            rv = rv.add(FloatVector.fromArray(FS, bias, o0));
                        }
                        rv.intoArray(y, yo);
                    } else {
                        rv.intoArray(tmp, 0);
                        for (int l = 0; o0 + l < p.out && l < VL; l++) {
                            y[yo + l] = tmp[l] + (bias == null ? 0f : bias[o0 + l]);
                        }
                    }
                }
            }
        }
    }

    @Override
    void widen(ByteBuffer bytes, DType type, int elem, float[] row, int ro, int n) {
        if (ro != 0) {
            super.widen(bytes, type, elem, row, ro, n);
            return;
        }
        int i = 0;
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        if (type == DType.F32) {
            for (; i + VL <= n; i += VL) {
                FloatVector.fromByteBuffer(FS, bytes, (elem + i) * 4, le).intoArray(row, i);
            }
        } else if (type == DType.F16) {
            for (; i + VL <= n; i += VL) {
                IntVector h = (IntVector) ShortVector.fromByteBuffer(SS, bytes, (elem + i) * 2, le)
                        .convertShape(VectorOperators.S2I, IS, 0);
                IntVector em = h.and(0x7FFF);
                IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
                IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
                // normal and subnormal halves: the bits shifted into a float's place are the value × 2^−112
                IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
                VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7C00);
                bits = bits.blend(shifted.or(0x7F800000), special).or(sign);
                bits.reinterpretAsFloats().intoArray(row, i);
            }
        } else {
            for (; i + VL <= n; i += VL) {
                ((IntVector) ShortVector.fromByteBuffer(SS, bytes, (elem + i) * 2, le)
                        .convertShape(VectorOperators.S2I, IS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().intoArray(row, i);
            }
        }
        if (i < n) {
            super.widen(bytes, type, elem + i, row, i, n - i);
        }
    }

    @Override
    float dot(float[] w, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (; i + 4 * VL <= n; i += 4 * VL) {
            a0 = FloatVector.fromArray(FS, w, i).fma(FloatVector.fromArray(FS, x, xo + i), a0);
            a1 = FloatVector.fromArray(FS, w, i + VL).fma(FloatVector.fromArray(FS, x, xo + i + VL), a1);
            a2 = FloatVector.fromArray(FS, w, i + 2 * VL).fma(FloatVector.fromArray(FS, x, xo + i + 2 * VL), a2);
            a3 = FloatVector.fromArray(FS, w, i + 3 * VL).fma(FloatVector.fromArray(FS, x, xo + i + 3 * VL), a3);
        }
        for (; i + VL <= n; i += VL) {
            a0 = FloatVector.fromArray(FS, w, i).fma(FloatVector.fromArray(FS, x, xo + i), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s = Math.fma(w[i], x[xo + i], s);
        }
        return s;
    }
}
