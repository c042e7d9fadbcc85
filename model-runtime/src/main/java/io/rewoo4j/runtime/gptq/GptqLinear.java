package io.rewoo4j.runtime.gptq;

import java.nio.IntBuffer;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * A GPTQ-quantised linear layer (AutoGPTQ / GPTQModel layout), dequantised on the fly inside the product.
 *
 * <p>Storage, per layer (see docs/runtime-gptq.md for sources):
 * <ul>
 * <li>{@code qweight} int32 [in·bits/32, out]: each column is a little-endian bit stream of the column's
 *     {@code in} values, least significant bits first. For 2/4/8 bits a word holds 32/bits whole values; for 3 bits
 *     32 values fill 3 words and values 10 and 21 straddle word boundaries.</li>
 * <li>{@code qzeros} int32 [groups, out·bits/32]: each group row is a bit stream along the output dimension.
 *     v1 ({@code gptq}) stores zero − 1, v2 ({@code gptq_v2}) the zero itself.</li>
 * <li>{@code scales} fp16 [groups, out]; {@code g_idx} int32 [in], the group of each input row (act-order makes it
 *     non-monotone); optional {@code bias} [out].</li>
 * </ul>
 * {@code W[o][i] = scales[g][o] · (q[i][o] − zero[g][o])} with {@code g = g_idx[i]}.
 *
 * <p>At load the packed weights are rearranged once into {@link PackedGptq}'s kernel layout, still {@code bits} bits
 * per weight on the heap (no dequantised copy): inputs ordered by group (so act-order runs as fast as sequential
 * groups; x is permuted once per call), outputs in tiles of 16 streamed contiguously. Scales and
 * {@code scale·zero} are widened to float (2 floats per group and output, about 1/16 of the packed size at g128).
 * Per group the zero is folded out: {@code s·(Σ q·x) − s·z·(Σ x)}, the group sums of x computed once per call.
 * The arithmetic is {@link GptqKernel}: the Vector API path where {@code jdk.incubator.vector} is present (JVM flag
 * {@code --add-modules jdk.incubator.vector}), the scalar path otherwise; tiles are split into a few chunks per
 * {@link KernelThreads} worker. Batched products (prefill) decode each group of a tile once for all rows and give
 * exactly the bits of row-by-row products. The mapped {@code qweight} is kept only for {@link #quantizedValue},
 * {@link #dequantize} and the reference product used by tests.
 */
public final class GptqLinear implements Linear {
    private final int in;
    private final int out;
    private final int bits;
    private final int groups;
    private final IntBuffer qweight;
    private final IntBuffer qzeros;
    private final float[] scales;
    private final float[] scaledZeros;
    private final int[] gIdx;
    /** Group size when {@code g_idx[i] == i / groupSize} for every i (and it suits the grouped kernel); else 0. */
    private final int sequentialGroupSize;
    private final float[] bias;
    private final int zeroOffset;
    private final KernelThreads threads;
    private final PackedGptq packed;

    GptqLinear(int in, int out, int bits, IntBuffer qweight, IntBuffer qzeros, float[] scales, int[] gIdx,
            float[] bias, int zeroOffset, KernelThreads threads) {
        this.in = in;
        this.out = out;
        this.bits = bits;
        this.groups = scales.length / out;
        this.qweight = qweight;
        this.qzeros = qzeros;
        this.scales = scales;
        this.gIdx = gIdx;
        this.bias = bias;
        this.zeroOffset = zeroOffset;
        this.threads = threads;
        this.scaledZeros = new float[scales.length];
        for (int g = 0; g < groups; g++) {
            for (int o = 0; o < out; o++) {
                scaledZeros[g * out + o] = scales[g * out + o] * zero(g, o);
            }
        }
        this.sequentialGroupSize = detectSequentialGroups();
        this.packed = new PackedGptq(in, out, bits, groups, qweight, gIdx, scales, scaledZeros);
    }

    /** Loads {@code prefix.qweight/.qzeros/.scales/.g_idx/.bias}, validating every shape against the others. */
    public static GptqLinear load(SafetensorsCheckpoint ckpt, String prefix, QuantizationConfig q,
            KernelThreads threads) {
        GptqTensors t = GptqTensors.read(ckpt, prefix, q);
        return new GptqLinear(t.in(), t.out(), t.bits(), t.qweight().asIntBuffer(), t.qzeros().asIntBuffer(),
                t.scales().toFloatArray(), t.gIdx(), t.bias(), t.zeroOffset(), threads);
    }

    private int detectSequentialGroups() {
        if (32 % bits != 0) {
            return 0;
        }
        int gs = groups == 1 ? in : (in + groups - 1) / groups;
        // informational since the repacked layout: sequential groups starting on word boundaries
        if (gs % (32 / bits) != 0) {
            return 0;
        }
        for (int i = 0; i < in; i++) {
            if (gIdx[i] != i / gs) {
                return 0;
            }
        }
        return gs;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    public int bits() {
        return bits;
    }

    public int groups() {
        return groups;
    }

    /** Whether {@code g_idx[i] == i / groupSize} on word boundaries (no act-order); all layouts run the same kernel. */
    public boolean hasSequentialGroups() {
        return sequentialGroupSize > 0;
    }

    @Override
    public long weightBytes() {
        // as stored in the checkpoint: qweight + qzeros + fp16 scales + g_idx
        return (long) in * out * bits / 8 + (long) groups * out * bits / 8 + (long) groups * out * 2 + 4L * in;
    }

    /** Packed bytes of {@code qweight} alone. */
    public long packedWeightBytes() {
        return (long) in * out * bits / 8;
    }

    /** The stored integer {@code q[i][o]} (0 … 2^bits − 1). */
    public int quantizedValue(int i, int o) {
        return field(qweight, out, i, o);
    }

    /** The real zero point of group {@code g}, output {@code o} (v1's stored zero − 1 already undone). */
    public int zero(int g, int o) {
        int words = out * bits / 32;
        return field(qzeros, 1, o, 0, g * words) + zeroOffset;
    }

    /** The group of input row {@code i} ({@code g_idx[i]}). */
    public int group(int i) {
        return gIdx[i];
    }

    /** The scale of group {@code g}, output {@code o}, as stored (widened to float). */
    public float scale(int g, int o) {
        return scales[g * out + o];
    }

    /** {@code W[o][i]} as the kernels compute it. */
    public float weight(int o, int i) {
        int g = gIdx[i];
        return quantizedValue(i, o) * scales[g * out + o] - scaledZeros[g * out + o];
    }

    /** The whole dequantised matrix [out, in] (for tests and debugging only; the kernels never build it). */
    public float[] dequantize() {
        float[] w = new float[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                w[o * in + i] = weight(o, i);
            }
        }
        return w;
    }

    /** Value {@code index} of the bit stream whose word k is at {@code buf[base + k·stride + column]}. */
    private int field(IntBuffer buf, int stride, int index, int column) {
        return field(buf, stride, index, column, 0);
    }

    private int field(IntBuffer buf, int stride, int index, int column, int base) {
        int bit = index * bits;
        int word = bit >>> 5;
        int shift = bit & 31;
        int v = buf.get(base + word * stride + column) >>> shift;
        if (shift + bits > 32) {
            v |= buf.get(base + (word + 1) * stride + column) << (32 - shift);
        }
        return v & ((1 << bits) - 1);
    }

    @Override
    public void matmul(float[] x, int rows, float[] y) {
        matmul(x, rows, y, GptqKernel.best());
    }

    /** The product with a given kernel (tests compare the scalar and vector paths through this). */
    void matmul(float[] x, int rows, float[] y, GptqKernel kernel) {
        if (x.length < (long) rows * in || y.length < (long) rows * out) {
            throw new IllegalArgumentException("x needs " + rows * in + " and out " + rows * out + " floats");
        }
        if (rows <= 0) {
            return;
        }
        PackedGptq p = packed;
        float[] xp = p.permute(x, rows);
        float[] xsum = p.groupSums(xp, rows);
        // a few chunks per thread: big enough to amortise fork/join, small enough to balance
        int chunks = Math.max(1, Math.min(p.tiles, threads.parallelism() * 4));
        int perChunk = (p.tiles + chunks - 1) / chunks;
        int n = (p.tiles + perChunk - 1) / perChunk;
        float[] xv = kernel.prepare(p, xp);
        if (rows == 1) {
            threads.forEachTile(n, c -> kernel.matvecTiles(p, xv, xsum, bias, y, c * perChunk,
                    Math.min(p.tiles, (c + 1) * perChunk)));
        } else {
            threads.forEachTile(n, c -> kernel.matmulTiles(p, xv, rows, xsum, bias, y, c * perChunk,
                    Math.min(p.tiles, (c + 1) * perChunk)));
        }
    }

    /** Name of the kernel {@link #matmul(float[], int, float[])} uses in this JVM ("scalar" or "vector(n lanes)"). */
    public static String kernelName() {
        return GptqKernel.best().name();
    }

    /**
     * Reference product straight from the checkpoint layout (serial, each weight dequantised as
     * {@code q·s − s·z}); slow, for tests.
     */
    void referenceMatmul(float[] x, int rows, float[] y) {
        generalTile(x, rows, y, 0, out);
    }

    /** General kernel: each weight dequantised once ({@code q·s − s·z}) and applied to every input row. */
    private void generalTile(float[] x, int rows, float[] y, int o0, int o1) {
        int width = o1 - o0;
        float[] acc = new float[rows * width];
        int mask = (1 << bits) - 1;
        IntBuffer qw = qweight;
        for (int i = 0; i < in; i++) {
            int so = gIdx[i] * out;
            int bit = i * bits;
            int base = (bit >>> 5) * out;
            int shift = bit & 31;
            boolean straddles = shift + bits > 32;
            for (int t = 0; t < width; t++) {
                int o = o0 + t;
                int q = qw.get(base + o) >>> shift;
                if (straddles) {
                    q |= qw.get(base + out + o) << (32 - shift);
                }
                float w = (q & mask) * scales[so + o] - scaledZeros[so + o];
                for (int r = 0; r < rows; r++) {
                    acc[r * width + t] += w * x[r * in + i];
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < width; t++) {
                y[r * out + o0 + t] = acc[r * width + t] + (bias == null ? 0f : bias[o0 + t]);
            }
        }
    }
}
