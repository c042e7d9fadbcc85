package io.rewoo4j.runtime.model;

import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/**
 * Root-mean-square normalisation as transformers computes it: in fp32, {@code w · x / sqrt(mean(x²) + eps)}.
 * The weight vector is tiny and is widened to float once at load.
 */
final class RmsNorm {
    private final float[] weight;
    private final float eps;

    RmsNorm(float[] weight, float eps) {
        this.weight = weight;
        this.eps = eps;
    }

    static RmsNorm load(SafetensorsCheckpoint checkpoint, String name, int size, float eps) {
        TensorView t = checkpoint.tensor(name);
        if (t.elementCount() != size || !t.dtype().isReadableAsFloat()) {
            throw new CorruptCheckpointException(t.file(), name, "a norm weight must be a float vector of " + size
                    + " elements, got " + t);
        }
        return new RmsNorm(t.toFloatArray(), eps);
    }

    /** Normalises {@code rows} rows of {@code x} (row-major, width = weight length) into {@code out}. */
    void apply(float[] x, int rows, float[] out) {
        int n = weight.length;
        for (int r = 0; r < rows; r++) {
            int off = r * n;
            float ss = 0f;
            for (int i = 0; i < n; i++) {
                float v = x[off + i];
                ss += v * v;
            }
            float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
            for (int i = 0; i < n; i++) {
                out[off + i] = weight[i] * (x[off + i] * inv);
            }
        }
    }
}
