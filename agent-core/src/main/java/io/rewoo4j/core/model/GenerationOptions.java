package io.rewoo4j.core.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How to sample a completion. The neutral values switch a setting off, so {@link #defaults()} is greedy decoding with
 * no filtering: reproducible, which is what planning wants.
 *
 * @param stopSequences     strings at which generation stops; the stop sequence itself is not emitted
 * @param maxTokens         the most tokens to generate (at least 1)
 * @param temperature       softmax temperature; {@code 0} means greedy
 * @param topK              sample from the k most likely tokens; {@code 0} means no limit
 * @param topP              nucleus sampling mass in (0, 1]; {@code 1} means no limit
 * @param repetitionPenalty penalty for tokens already generated; {@code 1} means none
 * @param seed              the sampler's seed; {@code null} for an unseeded sampler
 */
public record GenerationOptions(List<String> stopSequences, int maxTokens, double temperature, int topK, double topP,
                                double repetitionPenalty, Long seed) {

    public static final int DEFAULT_MAX_TOKENS = 1024;

    public GenerationOptions {
        stopSequences = List.copyOf(stopSequences);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("temperature must be >= 0: " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0: " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1]: " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0: " + repetitionPenalty);
        }
    }

    /** Greedy, unfiltered, {@value #DEFAULT_MAX_TOKENS} tokens, no stop sequences. */
    public static GenerationOptions defaults() {
        return new GenerationOptions(List.of(), DEFAULT_MAX_TOKENS, 0, 0, 1, 1, null);
    }

    public GenerationOptions withStopSequences(List<String> stops) {
        return new GenerationOptions(stops, maxTokens, temperature, topK, topP, repetitionPenalty, seed);
    }

    /** These options with more stop sequences appended (each once, order kept). */
    public GenerationOptions plusStopSequences(List<String> more) {
        LinkedHashSet<String> all = new LinkedHashSet<>(stopSequences);
        all.addAll(more);
        return withStopSequences(new ArrayList<>(all));
    }

    public GenerationOptions withMaxTokens(int max) {
        return new GenerationOptions(stopSequences, max, temperature, topK, topP, repetitionPenalty, seed);
    }

    public GenerationOptions withTemperature(double t) {
        return new GenerationOptions(stopSequences, maxTokens, t, topK, topP, repetitionPenalty, seed);
    }

    public GenerationOptions withTopK(int k) {
        return new GenerationOptions(stopSequences, maxTokens, temperature, k, topP, repetitionPenalty, seed);
    }

    public GenerationOptions withTopP(double p) {
        return new GenerationOptions(stopSequences, maxTokens, temperature, topK, p, repetitionPenalty, seed);
    }

    public GenerationOptions withRepetitionPenalty(double penalty) {
        return new GenerationOptions(stopSequences, maxTokens, temperature, topK, topP, penalty, seed);
    }

    public GenerationOptions withSeed(Long s) {
        return new GenerationOptions(stopSequences, maxTokens, temperature, topK, topP, repetitionPenalty, s);
    }
}
