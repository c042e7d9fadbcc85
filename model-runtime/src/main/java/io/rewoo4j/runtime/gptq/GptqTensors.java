package io.rewoo4j.runtime.gptq;

import java.util.Arrays;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.DType;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/**
 * One GPTQ layer's tensors as the checkpoint holds them ({@code prefix.qweight/.qzeros/.scales}, optional
 * {@code .g_idx} and {@code .bias}), every shape validated against the others and the quantisation config. Both
 * backends read layers through this: {@link GptqLinear} (CPU) and the CUDA backend's host repack.
 *
 * @param qweight int32 [in·bits/32, out], mapped
 * @param qzeros  int32 [groups, out·bits/32], mapped (v1 stores zero − 1: see {@link #zeroOffset})
 * @param scales  float [groups, out], mapped
 * @param gIdx    the group of each input row, [in]: from {@code g_idx}, or {@code i / group_size} without one
 * @param bias    [out], or null
 */
public record GptqTensors(int in, int out, int bits, int groups, int zeroOffset, TensorView qweight,
                          TensorView qzeros, TensorView scales, int[] gIdx, float[] bias) {

    /** Reads and validates the layer {@code prefix}; a problem is a {@link CorruptCheckpointException} naming the tensor. */
    public static GptqTensors read(SafetensorsCheckpoint ckpt, String prefix, QuantizationConfig q) {
        int bits = q.bits();
        TensorView qweight = ckpt.tensor(prefix + ".qweight");
        TensorView qzeros = ckpt.tensor(prefix + ".qzeros");
        TensorView scales = ckpt.tensor(prefix + ".scales");
        require(qweight, qweight.dtype() == DType.I32 && qweight.rank() == 2, "must be I32 [in*bits/32, out]");
        int packedRows = qweight.dim(0);
        int out = qweight.dim(1);
        require(qweight, (packedRows * 32L) % bits == 0, "has " + packedRows + " rows, not a whole number of "
                + bits + "-bit input rows");
        int in = (int) (packedRows * 32L / bits);
        require(scales, scales.dtype().isReadableAsFloat() && scales.rank() == 2 && scales.dim(1) == out,
                "must be a float [groups, " + out + "] tensor, got " + scales.dtype() + Arrays.toString(scales.shape()));
        int groups = scales.dim(0);
        int expectedGroups = q.groupSize() == -1 ? 1 : (in + q.groupSize() - 1) / q.groupSize();
        require(scales, groups == expectedGroups, "has " + groups + " groups but in_features " + in
                + " and group_size " + q.groupSize() + " make " + expectedGroups);
        require(qzeros, (out * (long) bits) % 32 == 0, "out_features " + out + " x " + bits
                + " bits is not a whole number of int32 words");
        require(qzeros, qzeros.dtype() == DType.I32 && qzeros.rank() == 2 && qzeros.dim(0) == groups
                && qzeros.dim(1) == out * bits / 32, "must be I32 [" + groups + ", " + (out * bits / 32) + "], got "
                + qzeros.dtype() + Arrays.toString(qzeros.shape()));
        int[] gIdx;
        if (ckpt.contains(prefix + ".g_idx")) {
            TensorView g = ckpt.tensor(prefix + ".g_idx");
            require(g, g.dtype() == DType.I32 && g.rank() == 1 && g.dim(0) == in,
                    "must be I32 [" + in + "], got " + g.dtype() + Arrays.toString(g.shape()));
            gIdx = g.toIntArray();
            for (int i = 0; i < in; i++) {
                if (gIdx[i] < 0 || gIdx[i] >= groups) {
                    throw new CorruptCheckpointException(g.file(), g.name(), "input row " + i + " names group "
                            + gIdx[i] + " outside [0, " + groups + ")");
                }
            }
        } else {
            int gs = q.groupSize() == -1 ? in : q.groupSize();
            gIdx = new int[in];
            for (int i = 0; i < in; i++) {
                gIdx[i] = i / gs;
            }
        }
        float[] bias = null;
        if (ckpt.contains(prefix + ".bias")) {
            TensorView b = ckpt.tensor(prefix + ".bias");
            require(b, b.dtype().isReadableAsFloat() && b.elementCount() == out,
                    "must be a float vector of " + out + " elements, got " + b.dtype() + Arrays.toString(b.shape()));
            bias = b.toFloatArray();
        }
        return new GptqTensors(in, out, bits, groups, q.format().zeroOffset(), qweight, qzeros, scales, gIdx, bias);
    }

    private static void require(TensorView t, boolean ok, String problem) {
        if (!ok) {
            throw new CorruptCheckpointException(t.file(), t.name(), problem);
        }
    }
}
