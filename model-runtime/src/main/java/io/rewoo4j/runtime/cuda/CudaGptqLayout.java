package io.rewoo4j.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.function.IntFunction;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.GptqTensors;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.safetensors.DType;
import io.rewoo4j.runtime.safetensors.Float16;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/**
 * One GPTQ layer rearranged on the host into the device layout of {@code common/device_matrix.cuh}, ready to upload
 * as it is (direct little-endian buffers), plus a decoder of that layout (the oracle of the tests).
 *
 * <p>The layout: input rows sorted by group (a stable counting sort on {@code g_idx}), each group padded to whole
 * blocks of 32 "slots"; {@code slot_input[slot]} is the input feeding a slot, −1 for padding (whose quantised value
 * is 0); {@code block_group[b]} the group of block {@code b}. {@code qweight} is uint32 [blocks][out][bits], the 32
 * values of one block and output in the per-width order of the header (4 bits: even/odd slots interleaved so that
 * one mask gives a half2; 8 bits: bytes; 3 bits: a 2-bit plane and a 1-bit plane; 2 bits: natural order).
 * {@code scale_zero} is half2 [groups][out]: the scale as fp16 (the checkpoint's bits when it stores fp16), and
 * {@code 1024 + zero} as fp16 (exact), so that {@code W[o][i] = scale · ((1024 + q) − (1024 + zero))}.
 *
 * <p>The repack reads the checkpoint's packed words straight from the mapped file (no heap copy of the layer) and
 * runs over ranges of output columns in parallel. Blocks whose 32 slots are 32 consecutive, word-aligned inputs
 * (sequential groups of a multiple of 32) are converted word by word; other blocks (act-order, padding, 3 bits) value
 * by value.
 */
public final class CudaGptqLayout {
    /** Slots per block. */
    public static final int SLOTS = 32;
    private static final int COLUMN_CHUNK = 256;

    private final int in;
    private final int out;
    private final int bits;
    private final int groups;
    private final int blocks;
    private final int[] slotInput;
    private final int[] blockGroup;
    private final int[] inputSlot;
    private final ByteBuffer qweight;
    private final ByteBuffer scaleZero;
    private final float[] bias;

    private CudaGptqLayout(int in, int out, int bits, int groups, int[] slotInput, int[] blockGroup, int[] inputSlot,
            ByteBuffer qweight, ByteBuffer scaleZero, float[] bias) {
        this.in = in;
        this.out = out;
        this.bits = bits;
        this.groups = groups;
        this.blocks = blockGroup.length;
        this.slotInput = slotInput;
        this.blockGroup = blockGroup;
        this.inputSlot = inputSlot;
        this.qweight = qweight;
        this.scaleZero = scaleZero;
        this.bias = bias;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Building
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Reads {@code prefix.qweight/.qzeros/.scales/.g_idx/.bias} with the validation rules of
     * {@link io.rewoo4j.runtime.gptq.GptqLinear#load} and repacks them on {@code threads}, into direct buffers from
     * {@code allocator} (bytes → a buffer of at least that capacity; e.g. slices of a reused staging area).
     */
    public static CudaGptqLayout fromCheckpoint(SafetensorsCheckpoint ckpt, String prefix, QuantizationConfig q,
            KernelThreads threads, IntFunction<ByteBuffer> allocator) {
        GptqTensors t = GptqTensors.read(ckpt, prefix, q);
        int bits = t.bits();
        int in = t.in();
        int out = t.out();
        int groups = t.groups();
        TensorView qzeros = t.qzeros();
        TensorView scales = t.scales();
        TensorView qweight = t.qweight();
        int[] gIdx = t.gIdx();
        float[] bias = t.bias();
        // zeros: decode the packed rows once (groups x out ints, small next to qweight)
        int[] zeros = new int[groups * out];
        IntBuffer qz = qzeros.asIntBuffer();
        int words = out * bits / 32;
        int offset = t.zeroOffset();
        for (int g = 0; g < groups; g++) {
            for (int o = 0; o < out; o++) {
                zeros[g * out + o] = field(qz, 1, bits, o, 0, g * words) + offset;
            }
        }
        short[] halfScales = new short[groups * out];
        if (scales.dtype() == DType.F16) {
            scales.asShortBuffer().get(halfScales);
        } else {
            for (int k = 0; k < halfScales.length; k++) {
                halfScales[k] = floatToHalf(scales.getFloat(k));
            }
        }
        return build(in, out, bits, qweight.asIntBuffer(), zeros, halfScales, gIdx, bias, threads, allocator);
    }

    /** As {@link #fromCheckpoint(SafetensorsCheckpoint, String, QuantizationConfig, KernelThreads, IntFunction)}
     *  into freshly allocated direct buffers. */
    public static CudaGptqLayout fromCheckpoint(SafetensorsCheckpoint ckpt, String prefix, QuantizationConfig q,
            KernelThreads threads) {
        return fromCheckpoint(ckpt, prefix, q, threads, ByteBuffer::allocateDirect);
    }

    /**
     * Builds the layout from the checkpoint's packing of the values and decoded parameters.
     *
     * @param qweight the checkpoint's {@code qweight} words, [in·bits/32][out] (each column an LSB-first bit stream)
     * @param zeros   the real zero points [groups][out] (the format's offset already added), 0 … 1023
     * @param scales  fp16 bits of the scales [groups][out]
     * @param gIdx    group of each input row, [in]
     * @param bias    [out] or null
     */
    public static CudaGptqLayout build(int in, int out, int bits, IntBuffer qweight, int[] zeros, short[] scales,
            int[] gIdx, float[] bias, KernelThreads threads, IntFunction<ByteBuffer> allocator) {
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits " + bits + " is not 2, 3, 4 or 8");
        }
        if (in <= 0 || out <= 0 || gIdx.length != in || (in * (long) bits) % 32 != 0) {
            throw new IllegalArgumentException("in " + in + ", out " + out + ", g_idx of " + gIdx.length
                    + ": in must be positive, a whole number of words at " + bits + " bits and g_idx must have in entries");
        }
        if (zeros.length % out != 0 || zeros.length == 0 || scales.length != zeros.length) {
            throw new IllegalArgumentException("zeros (" + zeros.length + ") and scales (" + scales.length
                    + ") must both be [groups][" + out + "]");
        }
        if (qweight.remaining() < (long) in * bits / 32 * out) {
            throw new IllegalArgumentException("qweight holds " + qweight.remaining() + " words, " + in + " x " + out
                    + " at " + bits + " bits need " + ((long) in * bits / 32 * out));
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias has " + bias.length + " elements, out is " + out);
        }
        int groups = zeros.length / out;
        for (int z : zeros) {
            if (z < 0 || z > 1023) {
                throw new IllegalArgumentException("zero point " + z + " is outside 0..1023 (1024 + zero must be "
                        + "exact in fp16)");
            }
        }
        int[][] order = sortSlots(gIdx, groups);
        int[] slotInput = order[0];
        int[] blockGroup = order[1];
        int blocks = blockGroup.length;
        int[] inputSlot = new int[in];
        for (int s = 0; s < slotInput.length; s++) {
            if (slotInput[s] >= 0) {
                inputSlot[slotInput[s]] = s;
            }
        }

        long qBytes = (long) blocks * out * bits * 4;
        long szBytes = (long) groups * out * 4;
        if (qBytes > Integer.MAX_VALUE || szBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a layer of " + in + " x " + out + " at " + bits
                    + " bits is too large for one host buffer (" + qBytes + " bytes)");
        }
        ByteBuffer qw = sized(allocator.apply((int) qBytes), (int) qBytes);
        ByteBuffer sz = sized(allocator.apply((int) szBytes), (int) szBytes);

        // scale_zero: .x = scale (low half of the little-endian word), .y = 1024 + zero
        IntBuffer szi = sz.asIntBuffer();
        for (int k = 0; k < zeros.length; k++) {
            szi.put(k, (scales[k] & 0xFFFF) | ((0x6400 + zeros[k]) << 16));
        }

        boolean[] aligned = new boolean[blocks];
        if (bits != 3) {
            for (int b = 0; b < blocks; b++) {
                int base = slotInput[b * SLOTS];
                boolean ok = base >= 0 && base % SLOTS == 0;
                for (int s = 1; ok && s < SLOTS; s++) {
                    ok = slotInput[b * SLOTS + s] == base + s;
                }
                aligned[b] = ok;
            }
        }
        int chunks = (out + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
        IntBuffer src = qweight.slice();
        int[] slotIn = slotInput;
        final int nBlocks = blocks;
        threads.forEachTile(chunks, c -> {
            int o0 = c * COLUMN_CHUNK;
            int o1 = Math.min(out, o0 + COLUMN_CHUNK);
            repackColumns(src, out, bits, slotIn, aligned, nBlocks, o0, o1, qw.asIntBuffer());
        });
        return new CudaGptqLayout(in, out, bits, groups, slotInput, blockGroup, inputSlot, qw, sz,
                bias == null ? null : bias.clone());
    }

    /**
     * The slot tables of an input ordering: inputs sorted by group (stable counting sort on {@code gIdx}), each
     * group padded to whole blocks of 32. Returns {@code {slot_input [blocks·32] (−1 for padding),
     * block_group [blocks]}}.
     */
    public static int[][] sortSlots(int[] gIdx, int groups) {
        int in = gIdx.length;
        int[] count = new int[groups];
        for (int i = 0; i < in; i++) {
            int g = gIdx[i];
            if (g < 0 || g >= groups) {
                throw new IllegalArgumentException("input row " + i + " names group " + g + " outside [0, " + groups
                        + ")");
            }
            count[g]++;
        }
        int blocks = 0;
        int[] firstBlock = new int[groups];
        for (int g = 0; g < groups; g++) {
            firstBlock[g] = blocks;
            blocks += (count[g] + SLOTS - 1) / SLOTS;
        }
        int[] blockGroup = new int[blocks];
        for (int g = 0; g < groups; g++) {
            int nb = (count[g] + SLOTS - 1) / SLOTS;
            Arrays.fill(blockGroup, firstBlock[g], firstBlock[g] + nb, g);
        }
        int[] slotInput = new int[blocks * SLOTS];
        Arrays.fill(slotInput, -1);
        int[] next = new int[groups];
        for (int g = 0; g < groups; g++) {
            next[g] = firstBlock[g] * SLOTS;
        }
        for (int i = 0; i < in; i++) {
            slotInput[next[gIdx[i]]++] = i;
        }
        return new int[][] {slotInput, blockGroup};
    }

    private static ByteBuffer sized(ByteBuffer b, int bytes) {
        if (!b.isDirect() || b.capacity() < bytes) {
            throw new IllegalArgumentException("the allocator must return a direct buffer of at least " + bytes
                    + " bytes");
        }
        ByteBuffer s = b.duplicate();
        s.clear().limit(bytes);
        return s.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Word index of slot {@code s}'s (low) bits inside a block, per width. */
    private static int slotWord(int bits, int s) {
        return switch (bits) {
            case 4 -> s >>> 3;
            case 8 -> s >>> 2;
            case 2 -> s >>> 4;
            default -> s >>> 4; // 3 bits: the 2-bit plane
        };
    }

    /** Bit offset of slot {@code s}'s (low) bits inside its word, per width. */
    private static int slotShift(int bits, int s) {
        return switch (bits) {
            case 4 -> {
                int k = (s & 7) >>> 1;
                yield (s & 1) == 0 ? 4 * k : 16 + 4 * k;
            }
            case 8 -> 8 * (s & 3);
            default -> 2 * (s & 15); // 2 bits, and the low two bits for 3 bits
        };
    }

    /** The 4-bit natural word (value m at bits 4m) to the interleaved order (even values low, odd values high). */
    static int interleaveNibbles(int w) {
        int r = 0;
        for (int k = 0; k < 4; k++) {
            r |= ((w >>> (8 * k)) & 0xF) << (4 * k);
            r |= ((w >>> (8 * k + 4)) & 0xF) << (16 + 4 * k);
        }
        return r;
    }

    private static void repackColumns(IntBuffer src, int out, int bits, int[] slotInput, boolean[] aligned,
            int blocks, int o0, int o1, IntBuffer dst) {
        int width = o1 - o0;
        int[] words = new int[width * bits];
        int[] row = new int[width];
        int[] row2 = new int[width];
        int mask = (1 << bits) - 1;
        int[] wordOf = new int[SLOTS];
        int[] shiftOf = new int[SLOTS];
        for (int s = 0; s < SLOTS; s++) {
            wordOf[s] = slotWord(bits, s);
            shiftOf[s] = slotShift(bits, s);
        }
        for (int b = 0; b < blocks; b++) {
            if (aligned[b]) {
                // 32 consecutive inputs from a word boundary: the block is `bits` whole words of each column
                int firstRow = slotInput[b * SLOTS] * bits / 32;
                for (int j = 0; j < bits; j++) {
                    src.get((firstRow + j) * out + o0, row, 0, width);
                    if (bits == 4) {
                        for (int t = 0; t < width; t++) {
                            words[t * bits + j] = interleaveNibbles(row[t]);
                        }
                    } else {
                        for (int t = 0; t < width; t++) {
                            words[t * bits + j] = row[t];
                        }
                    }
                }
            } else {
                Arrays.fill(words, 0);
                for (int s = 0; s < SLOTS; s++) {
                    int i = slotInput[b * SLOTS + s];
                    if (i < 0) {
                        continue; // padding: q = 0
                    }
                    int bit = i * bits;
                    int r = bit >>> 5;
                    int shift = bit & 31;
                    boolean straddles = shift + bits > 32;
                    src.get(r * out + o0, row, 0, width);
                    if (straddles) {
                        src.get((r + 1) * out + o0, row2, 0, width);
                    }
                    int w = wordOf[s];
                    int sh = shiftOf[s];
                    for (int t = 0; t < width; t++) {
                        int q = row[t] >>> shift;
                        if (straddles) {
                            q |= row2[t] << (32 - shift);
                        }
                        q &= mask;
                        if (bits == 3) {
                            words[t * 3 + w] |= (q & 3) << sh;
                            words[t * 3 + 2] |= (q >>> 2) << s;
                        } else {
                            words[t * bits + w] |= q << sh;
                        }
                    }
                }
            }
            dst.put((b * out + o0) * bits, words, 0, width * bits);
        }
    }


    /** Value {@code index} of the LSB-first bit stream whose word k is at {@code buf[base + k·stride + column]}. */
    private static int field(IntBuffer buf, int stride, int bits, int index, int column, int base) {
        int bit = index * bits;
        int word = bit >>> 5;
        int shift = bit & 31;
        int v = buf.get(base + word * stride + column) >>> shift;
        if (shift + bits > 32) {
            v |= buf.get(base + (word + 1) * stride + column) << (32 - shift);
        }
        return v & ((1 << bits) - 1);
    }

    /**
     * Blocks of the layout for {@code in} inputs in groups of {@code groupSize} (−1: one group), every group full
     * but the last (the sequential and the usual act-order case): the sum over groups of ⌈size / 32⌉.
     */
    public static long blocksFor(int in, int groupSize) {
        if (groupSize == -1 || groupSize >= in) {
            return (in + SLOTS - 1) / SLOTS;
        }
        long full = in / groupSize;
        int rest = in % groupSize;
        return full * ((groupSize + SLOTS - 1) / SLOTS) + (rest + SLOTS - 1) / SLOTS;
    }

    /** Groups for {@code in} inputs in groups of {@code groupSize} (−1: one group). */
    public static int groupsFor(int in, int groupSize) {
        return groupSize == -1 ? 1 : (in + groupSize - 1) / groupSize;
    }

    /**
     * Device bytes of one layer in this layout with equal groups: qweight, scale_zero, block_group, slot_input
     * (no bias).
     */
    public static long deviceBytes(int in, int out, int bits, int groupSize) {
        long blocks = blocksFor(in, groupSize);
        long groups = groupsFor(in, groupSize);
        return blocks * out * bits * 4 + groups * out * 4 + blocks * 4 + blocks * SLOTS * 4;
    }

    // ---------------------------------------------------------------------------------------------------------
    // float -> fp16
    // ---------------------------------------------------------------------------------------------------------

    /** IEEE binary16 bits of {@code f}, rounded to nearest even (overflow to infinity, NaN kept a NaN). */
    public static short floatToHalf(float f) {
        int b = Float.floatToRawIntBits(f);
        int sign = (b >>> 16) & 0x8000;
        int abs = b & 0x7FFFFFFF;
        if (abs >= 0x7F800000) {
            return (short) (sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 | ((abs >>> 13) & 0x3FF) : 0));
        }
        if (abs >= 0x477FF000) { // 65520 and above round to infinity
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x38800000) { // below 2^-14: a subnormal half (or zero)
            if (abs < 0x33000000) { // below 2^-25
                return (short) sign;
            }
            int e = abs >>> 23;
            int m = (abs & 0x7FFFFF) | 0x800000;
            int s = 126 - e;
            int r = m >>> s;
            int rem = m & ((1 << s) - 1);
            int half = 1 << (s - 1);
            if (rem > half || (rem == half && (r & 1) != 0)) {
                r++;
            }
            return (short) (sign | r);
        }
        int h = (abs - 0x38000000) >>> 13;
        int rem = abs & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
            h++;
        }
        return (short) (sign | h);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The layout, and its decoder
    // ---------------------------------------------------------------------------------------------------------

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public int bits() {
        return bits;
    }

    public int groups() {
        return groups;
    }

    public int blocks() {
        return blocks;
    }

    /** Input feeding each slot, −1 for padding, [blocks·32] (a copy). */
    public int[] slotInput() {
        return slotInput.clone();
    }

    /** Group of each block, [blocks] (a copy). */
    public int[] blockGroup() {
        return blockGroup.clone();
    }

    /** The slot input {@code i} was sorted into. */
    public int slotOf(int i) {
        return inputSlot[i];
    }

    /** uint32 [blocks][out][bits], little-endian, positioned at 0. */
    public ByteBuffer qweight() {
        return qweight.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** half2 [groups][out] (scale, 1024 + zero), little-endian, positioned at 0. */
    public ByteBuffer scaleZero() {
        return scaleZero.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code slot_input} as little-endian int32 bytes in a new direct buffer. */
    public ByteBuffer slotInputBytes() {
        return intBytes(slotInput);
    }

    /** {@code block_group} as little-endian int32 bytes in a new direct buffer. */
    public ByteBuffer blockGroupBytes() {
        return intBytes(blockGroup);
    }

    /** The bias [out] (a copy), or null. */
    public float[] bias() {
        return bias == null ? null : bias.clone();
    }

    public boolean hasBias() {
        return bias != null;
    }

    /** Device bytes of this layout: qweight, scale_zero, block_group, slot_input and bias. */
    public long deviceBytes() {
        return qweight.capacity() + (long) scaleZero.capacity() + 4L * blocks + 4L * blocks * SLOTS
                + (bias == null ? 0 : 4L * out);
    }

    private static ByteBuffer intBytes(int[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return b;
    }

    /** The quantised value of {@code slot} for output {@code o}, decoded from the device layout. */
    public int quantizedValue(int slot, int o) {
        int b = slot / SLOTS;
        int s = slot % SLOTS;
        int base = (b * out + o) * bits;
        int w = qweight.getInt((base + slotWord(bits, s)) * 4);
        int sh = slotShift(bits, s);
        if (bits == 3) {
            int high = qweight.getInt((base + 2) * 4);
            return ((w >>> sh) & 3) | (((high >>> s) & 1) << 2);
        }
        return (w >>> sh) & ((1 << bits) - 1);
    }

    /** fp16 bits of the scale of group {@code g}, output {@code o}. */
    public short scaleBits(int g, int o) {
        return (short) (scaleZero.getInt((g * out + o) * 4) & 0xFFFF);
    }

    public float scale(int g, int o) {
        return Float16.toFloat(scaleBits(g, o));
    }

    /** The zero point of group {@code g}, output {@code o}, decoded from the stored fp16 {@code 1024 + zero}. */
    public int zero(int g, int o) {
        short h = (short) (scaleZero.getInt((g * out + o) * 4) >>> 16);
        return (int) Float16.toFloat(h) - 1024;
    }

    /** The group of input {@code i} as the layout records it. */
    public int group(int i) {
        return blockGroup[inputSlot[i] / SLOTS];
    }

    /** {@code W[o][i] = scale · (q − zero)} from the device layout ({@code q − zero} exact, one rounding). */
    public float weight(int o, int i) {
        int slot = inputSlot[i];
        int g = blockGroup[slot / SLOTS];
        return scale(g, o) * (float) (quantizedValue(slot, o) - zero(g, o));
    }
}
