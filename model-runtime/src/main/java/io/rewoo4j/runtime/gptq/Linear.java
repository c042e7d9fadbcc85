package io.rewoo4j.runtime.gptq;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * A linear layer {@code y = x · Wᵀ + b} with {@code W} of shape [outFeatures, inFeatures] (PyTorch's
 * {@code nn.Linear} convention), whatever its storage: dense F16/BF16/F32 ({@link DenseLinear}) or GPTQ-packed
 * ({@link GptqLinear}, dequantised on the fly inside the product).
 *
 * <p>Implementations are immutable and thread-safe; each call may use the kernel thread pool internally, so callers
 * should not themselves fan one layer out over threads.
 */
public interface Linear {

    int inFeatures();

    int outFeatures();

    /** {@code out[o] = Σ_i W[o][i]·x[i] + b[o]}; {@code x.length ≥ inFeatures}, {@code out.length ≥ outFeatures}. */
    default void matvec(float[] x, float[] out) {
        matmul(x, 1, out);
    }

    /**
     * The same for {@code rows} inputs at once (prefill): {@code x} is [rows, inFeatures] and {@code out} is
     * [rows, outFeatures], both row-major. Weights are decoded once per call, not once per row.
     */
    void matmul(float[] x, int rows, float[] out);

    /** Bytes of weight storage this layer reads per product (packed ints, scales, zeros, bias). */
    long weightBytes();

    /**
     * Loads the layer {@code prefix} (e.g. {@code model.layers.0.self_attn.q_proj}) by what the checkpoint holds:
     * {@code prefix.qweight} (with qzeros, scales, optional g_idx and bias) → {@link GptqLinear}, which needs
     * {@code quantization}; {@code prefix.weight} (optional bias) → {@link DenseLinear}. Uses the shared pool.
     */
    static Linear load(SafetensorsCheckpoint checkpoint, String prefix, QuantizationConfig quantization) {
        return load(checkpoint, prefix, quantization, KernelThreads.shared());
    }

    /** As {@link #load(SafetensorsCheckpoint, String, QuantizationConfig)} with an explicit thread pool. */
    static Linear load(SafetensorsCheckpoint checkpoint, String prefix, QuantizationConfig quantization,
            KernelThreads threads) {
        if (checkpoint.contains(prefix + ".qweight")) {
            if (quantization == null) {
                throw new CorruptCheckpointException(checkpoint.directory(), prefix + ".qweight",
                        "GPTQ tensors found but the model has no quantization config");
            }
            return GptqLinear.load(checkpoint, prefix, quantization, threads);
        }
        if (checkpoint.contains(prefix + ".weight")) {
            return DenseLinear.load(checkpoint, prefix, threads);
        }
        throw new CorruptCheckpointException(checkpoint.directory(), prefix,
                "no linear layer here: neither " + prefix + ".qweight nor " + prefix + ".weight exists");
    }
}
