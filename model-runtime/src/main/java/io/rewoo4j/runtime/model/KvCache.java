package io.rewoo4j.runtime.model;

import java.util.Arrays;

/**
 * Keys and values of every layer for the positions seen so far, [position][kvDim] row-major per layer. Grows by
 * doubling up to the model's context length, so a short conversation does not reserve the whole context.
 * Keys are stored after RoPE.
 */
final class KvCache {
    private final int kvDim;
    private final int maxPositions;
    private final float[][] keys;
    private final float[][] values;
    private int capacity;
    private int length;

    KvCache(int layers, int kvDim, int maxPositions) {
        this.kvDim = kvDim;
        this.maxPositions = maxPositions;
        this.capacity = Math.min(64, maxPositions);
        this.keys = new float[layers][capacity * kvDim];
        this.values = new float[layers][capacity * kvDim];
    }

    int length() {
        return length;
    }

    int maxPositions() {
        return maxPositions;
    }

    /** Makes room for {@code more} positions after the current length. */
    void reserve(int more) {
        int needed = length + more;
        if (needed > maxPositions) {
            throw new ContextFullException(length, more, maxPositions);
        }
        if (needed > capacity) {
            int c = capacity;
            while (c < needed) {
                c = Math.min(maxPositions, c * 2);
            }
            for (int l = 0; l < keys.length; l++) {
                keys[l] = Arrays.copyOf(keys[l], c * kvDim);
                values[l] = Arrays.copyOf(values[l], c * kvDim);
            }
            capacity = c;
        }
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Marks {@code count} reserved positions as written (after every layer has stored them). */
    void advance(int count) {
        length += count;
    }

    void clear() {
        length = 0;
    }
}
