package io.rewoo4j.runtime.generate;

/**
 * The generated tokens (prompt and EOS excluded) and why generation stopped.
 *
 * @param tokens       generated token ids
 * @param promptTokens how many prompt tokens were prefilled
 * @param stopReason   why it ended
 */
public record GenerationResult(int[] tokens, int promptTokens, StopReason stopReason) {

    public GenerationResult {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
