package io.rewoo4j.runtime.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits according to {@link SamplingSettings}. Holds the random state, so a sampler created with
 * a seed replays the same choices for the same logits. Not thread-safe: one per generation.
 */
public final class Sampler {
    private final SamplingSettings settings;
    private final SplittableRandom random;

    public Sampler(SamplingSettings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
    }

    public SamplingSettings settings() {
        return settings;
    }

    /**
     * The next token. {@code context} holds the tokens the repetition penalty applies to (prompt and generated so
     * far, as transformers does); {@code logits} is not modified.
     */
    public int sample(float[] logits, int[] context) {
        float[] l = logits.clone();
        applyRepetitionPenalty(l, context, settings.repetitionPenalty());
        if (settings.isGreedy()) {
            return argmax(l);
        }
        double[] probs = probabilities(l, settings.temperature(), settings.topK(), settings.topP());
        double u = random.nextDouble();
        double acc = 0;
        int last = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                acc += probs[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last; // rounding: u fell past the summed probabilities
    }

    /** CTRL repetition penalty, each distinct context token once: positive logits ÷ penalty, negative × penalty. */
    static void applyRepetitionPenalty(float[] logits, int[] context, float penalty) {
        if (penalty == 1f || context == null) {
            return;
        }
        boolean[] seen = new boolean[logits.length];
        for (int t : context) {
            if (t >= 0 && t < logits.length && !seen[t]) {
                seen[t] = true;
                logits[t] = logits[t] < 0 ? logits[t] * penalty : logits[t] / penalty;
            }
        }
    }

    /**
     * The distribution sampled from: softmax(logits / temperature), cut to the top-k tokens, then to the nucleus of
     * probability ≥ topP (computed on the top-k distribution), renormalised. Ties at the cut keep the lower id.
     */
    static double[] probabilities(float[] logits, float temperature, int topK, float topP) {
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(logits[b], logits[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int keep = topK > 0 ? Math.min(topK, n) : n;
        double max = logits[order[0]] / (double) temperature;
        double[] p = new double[n];
        double sum = 0;
        for (int j = 0; j < keep; j++) {
            int i = order[j];
            p[i] = Math.exp(logits[i] / (double) temperature - max);
            sum += p[i];
        }
        if (topP < 1f) {
            double acc = 0;
            int j = 0;
            while (j < keep) {
                acc += p[order[j]] / sum;
                j++;
                if (acc >= topP) {
                    break;
                }
            }
            for (int k = j; k < keep; k++) {
                p[order[k]] = 0;
            }
            keep = j;
            sum = 0;
            for (int k = 0; k < keep; k++) {
                sum += p[order[k]];
            }
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
