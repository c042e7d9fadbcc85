package io.rewoo4j.runtime.cuda;

/**
 * The rotary-embedding angle tables the device kernel reads: {@code cos[pos][i]} and {@code sin[pos][i]} for
 * positions {@code 0 … maxPositions−1} and pairs {@code i < headDim/2}, computed with exactly the float steps of the
 * CPU backend's {@code RotaryEmbedding} (inverse frequencies {@code 1 / θ^(2i/headDim)} rounded as transformers does
 * in fp32, angle {@code pos · invFreq[i]} in float, then {@code Math.cos}/{@code Math.sin} rounded to float), so
 * both backends rotate by the same numbers.
 */
public final class RotaryTables {
    private final int headDim;
    private final int maxPositions;
    private final float[] cos;
    private final float[] sin;

    private RotaryTables(int headDim, int maxPositions, float[] cos, float[] sin) {
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        this.cos = cos;
        this.sin = sin;
    }

    /** The tables for heads of {@code headDim} (even) and base {@code theta}. */
    public static RotaryTables compute(int headDim, double theta, int maxPositions) {
        if (headDim <= 0 || headDim % 2 != 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be positive and even, positions "
                    + maxPositions + " positive");
        }
        int half = headDim / 2;
        float[] invFreq = inverseFrequencies(headDim, theta);
        long n = (long) maxPositions * half;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(maxPositions + " positions x " + half + " pairs is too large");
        }
        float[] cos = new float[(int) n];
        float[] sin = new float[(int) n];
        for (int pos = 0; pos < maxPositions; pos++) {
            for (int i = 0; i < half; i++) {
                float angle = pos * invFreq[i];
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        }
        return new RotaryTables(headDim, maxPositions, cos, sin);
    }

    /** {@code 1 / θ^(2i/headDim)} with transformers' fp32 rounding steps (as the CPU backend). */
    static float[] inverseFrequencies(int headDim, double theta) {
        int half = headDim / 2;
        float[] invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        return invFreq;
    }

    public int headDim() {
        return headDim;
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** cos [maxPositions][headDim/2], row-major (the array itself: do not modify). */
    public float[] cos() {
        return cos;
    }

    /** sin [maxPositions][headDim/2], row-major (the array itself: do not modify). */
    public float[] sin() {
        return sin;
    }

    /** Rotates one head of {@code v} at {@code offset} in place by position {@code pos} (the host reference of the
     *  device kernel, NeoX pairing {@code (i, i + headDim/2)}). */
    public void rotate(float[] v, int offset, int pos) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            float c = cos[pos * half + i];
            float s = sin[pos * half + i];
            float a = v[offset + i];
            float b = v[offset + i + half];
            v[offset + i] = a * c - b * s;
            v[offset + i + half] = b * c + a * s;
        }
    }
}
