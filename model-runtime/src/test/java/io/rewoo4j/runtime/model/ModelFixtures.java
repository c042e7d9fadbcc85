package io.rewoo4j.runtime.model;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * The whole-model fixtures of {@code src/test/resources/models} (made by {@code scripts/models/make_fixtures.py}):
 * a model folder per fixture and {@code expected/<name>.safetensors} with transformers' logits and greedy tokens.
 * Shared by the CPU and the CUDA backends' whole-model tests.
 */
public final class ModelFixtures {
    public static final List<String> NAMES = List.of("llama-f16", "llama-bf16-tied", "mixtral-f16-window8",
            "mixtral-q4-g32-act-v1", "mixtral-q4-gall-v2", "mixtral-q8-g128-v1", "mixtral-q3-g128-v2",
            "llama-q4-g32-act-v2", "llama-q3-g128-v1");

    private ModelFixtures() {
    }

    public static Path root() {
        try {
            return Paths.get(ModelFixtures.class.getResource("/models").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path model(String name) {
        return root().resolve(name);
    }

    /** A prompt with transformers' logits after it, its 32 greedy tokens and each step's top-1/top-2 gap. */
    public record Prompt(int[] tokens, float[] logits, int[] greedy, float[] gaps) {
    }

    public static List<Prompt> prompts(String name) {
        List<Prompt> prompts = new ArrayList<>();
        try (SafetensorsCheckpoint e = SafetensorsCheckpoint.open(root().resolve("expected").resolve(name
                + ".safetensors"))) {
            for (int i = 0; e.contains("p" + i + ".tokens"); i++) {
                String p = "p" + i + ".";
                prompts.add(new Prompt(e.tensor(p + "tokens").toIntArray(), e.tensor(p + "logits").toFloatArray(),
                        e.tensor(p + "greedy").toIntArray(), e.tensor(p + "gap").toFloatArray()));
            }
        }
        return prompts;
    }

    /** ‖a − b‖ / ‖b‖ over {@code n} elements starting at {@code bOffset} of {@code b}. */
    public static double relativeL2(float[] a, float[] b, int bOffset) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[bOffset + i];
            diff += d * d;
            norm += (double) b[bOffset + i] * b[bOffset + i];
        }
        return Math.sqrt(diff / norm);
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
