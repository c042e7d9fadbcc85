package io.rewoo4j.runtime.gptq;

import java.nio.IntBuffer;

/**
 * A GPTQ layer's packed weights rearranged at load time for the kernels, still {@code bits} bits per weight (no
 * dequantised copy): output-tiled and streamed once.
 *
 * <p>Inputs are first ordered by group (a stable counting sort on {@code g_idx}, so act-order layers get contiguous
 * groups exactly like sequential ones; the activation vector is permuted once per call instead), and each group is
 * padded to a whole number of 32-input <em>blocks</em> (padding slots hold q = 0 and see x = 0). A block of one
 * output is {@code bits} int words, the same LSB-first bit stream as the checkpoint (3 bits: values 10 and 21
 * straddle words). Outputs are grouped into tiles of {@link #LANES}; the words are stored
 * {@code [tile][block][word][lane]}, so one tile's weights are one contiguous stream and one word index across the
 * 16 lanes is one 64-byte line (one AVX-512 vector). Scales and {@code scale·zero} are tiled the same way,
 * {@code [tile][group][lane]}; padding outputs (beyond {@code out}) have q = 0, scale 0.
 */
final class PackedGptq {
    static final int LANES = 16;
    static final int BLOCK = 32;

    final int in;
    final int out;
    final int bits;
    final int groups;
    final int tiles;
    final int blocks;
    /** {@code blocks · BLOCK}: the length of the permuted, padded activation vector. */
    final int slots;
    /** Group g occupies blocks {@code [groupBlock[g], groupBlock[g + 1])}. */
    final int[] groupBlock;
    /** Input row feeding each slot, or −1 for padding. */
    final int[] slotInput;
    final int[] packed;
    final float[] scale;
    final float[] scaledZero;

    PackedGptq(int in, int out, int bits, int groups, IntBuffer qweight, int[] gIdx, float[] scales,
            float[] scaledZeros) {
        this.in = in;
        this.out = out;
        this.bits = bits;
        this.groups = groups;
        this.tiles = (out + LANES - 1) / LANES;
        int[] count = new int[groups];
        for (int i = 0; i < in; i++) {
            count[gIdx[i]]++;
        }
        groupBlock = new int[groups + 1];
        for (int g = 0; g < groups; g++) {
            groupBlock[g + 1] = groupBlock[g] + (count[g] + BLOCK - 1) / BLOCK;
        }
        blocks = groupBlock[groups];
        slots = blocks * BLOCK;
        slotInput = new int[slots];
        java.util.Arrays.fill(slotInput, -1);
        int[] next = new int[groups];
        for (int g = 0; g < groups; g++) {
            next[g] = groupBlock[g] * BLOCK;
        }
        for (int i = 0; i < in; i++) {
            slotInput[next[gIdx[i]]++] = i;
        }
        long words = (long) tiles * blocks * bits * LANES;
        if (words > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("GPTQ layer " + in + " x " + out + " too large for one array");
        }
        packed = new int[(int) words];
        int[] row = new int[out];
        int[] row2 = new int[out];
        int mask = (1 << bits) - 1;
        for (int blk = 0; blk < blocks; blk++) {
            if (identityBlock(blk)) {
                // the block is 32 consecutive inputs starting on a word boundary: copy its words as they are
                for (int w = 0; w < bits; w++) {
                    qweight.get((blk * bits + w) * out, row, 0, out);
                    for (int o = 0; o < out; o++) {
                        packed[index(o / LANES, blk, w) + o % LANES] = row[o];
                    }
                }
                continue;
            }
            for (int k = 0; k < BLOCK; k++) {
                int i = slotInput[blk * BLOCK + k];
                if (i < 0) {
                    continue;
                }
                int srcBit = i * bits;
                int srcWord = srcBit >>> 5;
                int srcShift = srcBit & 31;
                boolean srcStraddles = srcShift + bits > 32;
                qweight.get(srcWord * out, row, 0, out);
                if (srcStraddles) {
                    qweight.get((srcWord + 1) * out, row2, 0, out);
                }
                int dstBit = k * bits;
                int dstWord = dstBit >>> 5;
                int dstShift = dstBit & 31;
                boolean dstStraddles = dstShift + bits > 32;
                for (int o = 0; o < out; o++) {
                    int q = row[o] >>> srcShift;
                    if (srcStraddles) {
                        q |= row2[o] << (32 - srcShift);
                    }
                    q &= mask;
                    int at = index(o / LANES, blk, dstWord) + o % LANES;
                    packed[at] |= q << dstShift;
                    if (dstStraddles) {
                        packed[at + LANES] |= q >>> (32 - dstShift);
                    }
                }
            }
        }
        scale = new float[tiles * groups * LANES];
        scaledZero = new float[tiles * groups * LANES];
        for (int g = 0; g < groups; g++) {
            for (int o = 0; o < out; o++) {
                int at = (o / LANES * groups + g) * LANES + o % LANES;
                scale[at] = scales[g * out + o];
                scaledZero[at] = scaledZeros[g * out + o];
            }
        }
    }

    private boolean identityBlock(int blk) {
        for (int k = 0; k < BLOCK; k++) {
            if (slotInput[blk * BLOCK + k] != blk * BLOCK + k) {
                return false;
            }
        }
        return true;
    }

    /** Index in {@link #packed} of lane 0 of word {@code w} of block {@code blk} in tile {@code t}. */
    int index(int t, int blk, int w) {
        return ((t * blocks + blk) * bits + w) * LANES;
    }

    /** {@code x} [rows, in] permuted and padded into slot order: [rows, slots]. */
    float[] permute(float[] x, int rows) {
        float[] xp = new float[rows * slots];
        for (int r = 0; r < rows; r++) {
            int xo = r * in;
            int po = r * slots;
            for (int s = 0; s < slots; s++) {
                int i = slotInput[s];
                if (i >= 0) {
                    xp[po + s] = x[xo + i];
                }
            }
        }
        return xp;
    }

    /** Per row and group, the sum of that group's inputs: [rows, groups]. */
    float[] groupSums(float[] xp, int rows) {
        float[] sums = new float[rows * groups];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                float s = 0f;
                for (int k = groupBlock[g] * BLOCK, end = groupBlock[g + 1] * BLOCK; k < end; k++) {
                    s += xp[r * slots + k];
                }
                sums[r * groups + g] = s;
            }
        }
        return sums;
    }

    /** The stored integer of slot {@code k} (within block) for lane {@code lane} of the block at {@code at}. */
    int field(int at, int lane, int k) {
        int bit = k * bits;
        int w = bit >>> 5;
        int shift = bit & 31;
        int v = packed[at + w * LANES + lane] >>> shift;
        if (shift + bits > 32) {
            v |= packed[at + (w + 1) * LANES + lane] << (32 - shift);
        }
        return v & ((1 << bits) - 1);
    }
}
