package io.rewoo4j.runtime.model;

/**
 * Rotary position embeddings in the "rotate half" (GPT-NeoX) layout that Hugging Face Llama/Mixtral checkpoints
 * use: dimension {@code i} of a head is paired with {@code i + headDim/2} (not with {@code i+1} as in Meta's
 * original interleaved layout), and pair {@code i} turns by {@code pos · θ^(-2i/headDim)}.
 */
final class RotaryEmbedding {
    private final int headDim;
    private final float[] invFreq;

    RotaryEmbedding(int headDim, double theta) {
        this.headDim = headDim;
        int half = headDim / 2;
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            // transformers computes base ** (arange(0, dim, 2) / dim) in fp32; do the same rounding steps
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
    }

    /** Rotates {@code heads} consecutive heads of {@code v} starting at {@code offset}, all at position {@code pos}. */
    void apply(float[] v, int offset, int heads, int pos) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            float angle = pos * invFreq[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int base = offset + h * headDim;
                float a = v[base + i];
                float b = v[base + i + half];
                v[base + i] = a * cos - b * sin;
                v[base + i + half] = b * cos + a * sin;
            }
        }
    }
}
