package io.rewoo4j.tools.knowledge;

import java.util.function.ToIntFunction;

/**
 * How the KnowledgeModel tool fits evidence into its model.
 *
 * @param contextTokens  the model's context window in tokens; prompt plus answer never exceed it
 * @param answerTokens   the most tokens of answer to generate (reserved out of the window)
 * @param temperature    sampling temperature; low, as the context-obedient format asks (0 is greedy)
 * @param chunkChars     the size evidence is cut into before the most relevant chunks are chosen, in characters
 * @param tokenEstimator tokens a text will take; the default over-estimates (one token per three characters), so that
 *                       a prompt sized with it fits; give the model's own tokenizer's count for a tight fit
 */
public record KnowledgeModelOptions(int contextTokens, int answerTokens, double temperature, int chunkChars,
                                    ToIntFunction<String> tokenEstimator) {

    public static final ToIntFunction<String> CONSERVATIVE_ESTIMATE = text -> (text.length() + 2) / 3;

    public KnowledgeModelOptions {
        if (answerTokens < 1 || contextTokens <= answerTokens) {
            throw new IllegalArgumentException("need 0 < answerTokens < contextTokens, got " + answerTokens
                    + " and " + contextTokens);
        }
        if (chunkChars < 64) {
            throw new IllegalArgumentException("chunkChars must be at least 64: " + chunkChars);
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("temperature must be >= 0: " + temperature);
        }
        tokenEstimator = tokenEstimator == null ? CONSERVATIVE_ESTIMATE : tokenEstimator;
    }

    /** A 4,096-token window (what every served model supports), 512 answer tokens, greedy, 1,200-character chunks. */
    public static KnowledgeModelOptions defaults() {
        return new KnowledgeModelOptions(4096, 512, 0, 1200, CONSERVATIVE_ESTIMATE);
    }

    public KnowledgeModelOptions withContextTokens(int tokens) {
        return new KnowledgeModelOptions(tokens, answerTokens, temperature, chunkChars, tokenEstimator);
    }

    public KnowledgeModelOptions withTokenEstimator(ToIntFunction<String> estimator) {
        return new KnowledgeModelOptions(contextTokens, answerTokens, temperature, chunkChars, estimator);
    }
}
