package io.rewoo4j.runtime.model;

import io.rewoo4j.runtime.cuda.CudaSession;

/**
 * One conversation with a {@link LoadedModel}: the tokens seen so far, held as a KV cache. {@link #logits} prefills
 * several tokens at once; {@link #next} decodes one token against the cache. Feeding a sequence in any split
 * (whole, or prefix then token by token) gives the same logits.
 *
 * <p>On the CUDA backend the cache lives in device memory ({@link CudaSession}): {@link #close()} frees it (a
 * dropped session's memory is reclaimed by a later forward pass of the model); on the CPU closing does nothing.
 *
 * <p>Not thread-safe: one thread drives a session at a time (the forward pass itself runs on the kernel pool).
 */
public final class Session implements AutoCloseable {
    private final LoadedModel model;
    private final KvCache cache;
    private final CudaSession cuda;

    Session(LoadedModel model, KvCache cache) {
        this.model = model;
        this.cache = cache;
        this.cuda = null;
    }

    /** A session of the CUDA backend: the KV cache lives on the device. */
    Session(LoadedModel model, CudaSession cuda) {
        this.model = model;
        this.cache = null;
        this.cuda = cuda;
    }

    /** Appends {@code tokens} (at least one) and returns the logits after the last of them, [vocab]. */
    public float[] logits(int[] tokens) {
        requireTokens(tokens);
        if (cuda != null) {
            return cuda.logits(tokens);
        }
        return model.forward(tokens, cache, 1)[0];
    }

    /** Appends {@code tokens} and returns the logits after each of them, [tokens.length][vocab]. */
    public float[][] logitsPerPosition(int[] tokens) {
        requireTokens(tokens);
        if (cuda != null) {
            return cuda.logitsPerPosition(tokens);
        }
        return model.forward(tokens, cache, tokens.length);
    }

    /** Appends one token and returns the logits for the token after it, [vocab]. */
    public float[] next(int token) {
        if (cuda != null) {
            return cuda.next(token);
        }
        return model.forward(new int[] {token}, cache, 1)[0];
    }

    /** Positions held in the cache. */
    public int length() {
        return cuda != null ? cuda.length() : cache.length();
    }

    /** The most positions this session can hold. */
    public int maxPositions() {
        return cuda != null ? cuda.maxPositions() : cache.maxPositions();
    }

    /** Forgets every position (the cache memory is kept for reuse). */
    public void reset() {
        if (cuda != null) {
            cuda.reset();
        } else {
            cache.clear();
        }
    }

    /**
     * Frees the device KV cache of a CUDA session now (a dropped session's is freed later by the model); nothing to
     * do on the CPU. The session must not be used afterwards.
     */
    @Override
    public void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    public LoadedModel model() {
        return model;
    }

    private static void requireTokens(int[] tokens) {
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("at least one token is needed");
        }
    }
}
