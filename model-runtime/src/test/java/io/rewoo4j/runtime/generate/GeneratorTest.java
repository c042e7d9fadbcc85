package io.rewoo4j.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.rewoo4j.runtime.model.LoadedModel;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/** Generation on the tiny Mixtral fixture, against transformers' greedy continuation. */
class GeneratorTest {
    private static LoadedModel model;
    private static int[] prompt;
    private static int[] expectedGreedy;

    @BeforeAll
    static void load() throws URISyntaxException {
        Path root = Paths.get(GeneratorTest.class.getResource("/models").toURI());
        model = LoadedModel.load(root.resolve("mixtral-q4-g32-act-v1"));
        try (SafetensorsCheckpoint e = SafetensorsCheckpoint.open(root.resolve("expected/mixtral-q4-g32-act-v1"
                + ".safetensors"))) {
            prompt = e.tensor("p1.tokens").toIntArray();
            expectedGreedy = e.tensor("p1.greedy").toIntArray();
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyGenerationReproducesTransformersAndStreamsEachToken() {
        List<Integer> streamed = new ArrayList<>();
        GenerationResult r = new Generator(model.newSession(), List.of())
                .generate(prompt, expectedGreedy.length, streamed::add);
        assertThat(r.tokens()).containsExactly(expectedGreedy);
        assertThat(r.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(r.promptTokens()).isEqualTo(prompt.length);
        assertThat(streamed).containsExactly(Arrays.stream(expectedGreedy).boxed().toArray(Integer[]::new));
    }

    @Test
    void stopsBeforeTheFirstEosToken() {
        int eos = expectedGreedy[3];
        int first = 0;
        while (expectedGreedy[first] != eos) {
            first++;
        }
        GenerationResult r = new Generator(model.newSession(), List.of(eos))
                .generate(prompt, 32, SamplingSettings.greedy());
        assertThat(r.stopReason()).isEqualTo(StopReason.EOS);
        assertThat(r.tokens()).containsExactly(Arrays.copyOf(expectedGreedy, first));
    }

    @Test
    void maxTokensAndAFullContextEndGeneration() {
        GenerationResult few = new Generator(model.newSession(), List.of()).generate(prompt, 3,
                SamplingSettings.greedy());
        assertThat(few.tokens()).containsExactly(Arrays.copyOf(expectedGreedy, 3));
        assertThat(few.stopReason()).isEqualTo(StopReason.MAX_TOKENS);

        GenerationResult full = new Generator(model.newSession(prompt.length + 4), List.of()).generate(prompt, 10,
                SamplingSettings.greedy());
        assertThat(full.stopReason()).isEqualTo(StopReason.CONTEXT_FULL);
        assertThat(full.tokens()).containsExactly(Arrays.copyOf(expectedGreedy, 5));
    }

    @Test
    void seededSamplingIsReproducible() {
        SamplingSettings s = new SamplingSettings(1.2f, 40, 0.95f, 1.1f, 1234);
        int[] a = new Generator(model.newSession(), List.of()).generate(prompt, 16, s).tokens();
        int[] b = new Generator(model.newSession(), List.of()).generate(prompt, 16, s).tokens();
        int[] c = new Generator(model.newSession(), List.of()).generate(prompt, 16, s.withSeed(99)).tokens();
        assertThat(a).hasSize(16).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }
}
