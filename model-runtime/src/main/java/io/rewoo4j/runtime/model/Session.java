package io.rewoo4j.runtime.model;

/**
 * One conversation with a {@link LoadedModel}: the tokens seen so far, held as a KV cache. {@link #logits} prefills
 * several tokens at once; {@link #next} decodes one token against the cache. Feeding a sequence in any split
 * (whole, or prefix then token by token) gives the same logits.
 *
 * <p>Not thread-safe: one thread drives a session at a time (the forward pass itself runs on the kernel pool).
 */
public final class Session {
    private final LoadedModel model;
    private final KvCache cache;

    Session(LoadedModel model, KvCache cache) {
        this.model = model;
        this.cache = cache;
    }

    /** Appends {@code tokens} (at least one) and returns the logits after the last of them, [vocab]. */
    public float[] logits(int[] tokens) {
        requireTokens(tokens);
        return model.forward(tokens, cache, 1)[0];
    }

    /** Appends {@code tokens} and returns the logits after each of them, [tokens.length][vocab]. */
    public float[][] logitsPerPosition(int[] tokens) {
        requireTokens(tokens);
        return model.forward(tokens, cache, tokens.length);
    }

    /** Appends one token and returns the logits for the token after it, [vocab]. */
    public float[] next(int token) {
        return model.forward(new int[] {token}, cache, 1)[0];
    }

    /** Positions held in the cache. */
    public int length() {
        return cache.length();
    }

    /** The most positions this session can hold. */
    public int maxPositions() {
        return cache.maxPositions();
    }

    /** Forgets every position (the cache memory is kept for reuse). */
    public void reset() {
        cache.clear();
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
