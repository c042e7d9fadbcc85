package io.rewoo4j.runtime.generate;

/**
 * How the next token is chosen from the logits, with the semantics of transformers' logits processors, applied in
 * this order: repetition penalty, temperature, top-k, top-p.
 *
 * @param temperature       0 for greedy (argmax); otherwise logits are divided by it before the softmax
 * @param topK              keep only the {@code topK} most likely tokens; 0 keeps all
 * @param topP              keep the smallest set of most likely tokens whose probability reaches {@code topP}
 *                          (nucleus sampling); 1 keeps all
 * @param repetitionPenalty for every token already in the context: a positive logit is divided by it, a negative
 *                          one multiplied (CTRL, as transformers does); 1 disables it
 * @param seed              seed of the random generator: the same settings, seed and logits give the same tokens
 */
public record SamplingSettings(float temperature, int topK, float topP, float repetitionPenalty, long seed) {

    public SamplingSettings {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and ≥ 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be ≥ 0 (0 = all), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be finite and > 0, got " + repetitionPenalty);
        }
    }

    /** Argmax decoding, no penalty. */
    public static SamplingSettings greedy() {
        return new SamplingSettings(0f, 0, 1f, 1f, 0L);
    }

    /** Plain sampling at {@code temperature} with {@code seed}, no truncation or penalty. */
    public static SamplingSettings sampling(float temperature, long seed) {
        return new SamplingSettings(temperature, 0, 1f, 1f, seed);
    }

    public SamplingSettings withTopK(int k) {
        return new SamplingSettings(temperature, k, topP, repetitionPenalty, seed);
    }

    public SamplingSettings withTopP(float p) {
        return new SamplingSettings(temperature, topK, p, repetitionPenalty, seed);
    }

    public SamplingSettings withRepetitionPenalty(float penalty) {
        return new SamplingSettings(temperature, topK, topP, penalty, seed);
    }

    public SamplingSettings withSeed(long s) {
        return new SamplingSettings(temperature, topK, topP, repetitionPenalty, s);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
