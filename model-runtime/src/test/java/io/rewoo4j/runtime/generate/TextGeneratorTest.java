package io.rewoo4j.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.rewoo4j.runtime.model.LoadedModel;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.tokenizer.Tokenizer;

/**
 * Text streaming and stop strings. The tiny fixture model has a vocabulary of 256, so it borrows the Mistral
 * tokenizer fixture, whose first 256 ids are {@code <unk>}, {@code <s>}, {@code </s>} and byte pieces: the
 * "text" is the bytes the model's greedy continuation spells, decoded as UTF-8 (U+FFFD for invalid bytes).
 */
class TextGeneratorTest {
    private static LoadedModel model;
    private static Tokenizer tokenizer;
    private static int[] prompt;
    private static String expectedText;

    @BeforeAll
    static void load() throws URISyntaxException, IOException {
        Path root = Paths.get(TextGeneratorTest.class.getResource("/").toURI());
        model = LoadedModel.load(root.resolve("models/llama-f16"));
        tokenizer = Tokenizer.load(root.resolve("tokenizer/mistral-v1"));
        try (SafetensorsCheckpoint e = SafetensorsCheckpoint.open(root.resolve("models/expected/llama-f16"
                + ".safetensors"))) {
            prompt = e.tensor("p0.tokens").toIntArray();
            expectedText = tokenizer.decode(e.tensor("p0.greedy").toIntArray());
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void streamsTheDecodedTextOfTheGreedyContinuation() {
        StringBuilder streamed = new StringBuilder();
        TextGenerator.Result r = new TextGenerator(model.newSession(), tokenizer, List.of())
                .generate(prompt, 32, SamplingSettings.greedy(), List.of(), streamed::append);
        assertThat(r.text()).isEqualTo(expectedText);
        assertThat(streamed.toString()).isEqualTo(expectedText);
        assertThat(r.generation().stopReason()).isEqualTo(StopReason.MAX_TOKENS);
    }

    @Test
    void stopsAtTheFirstStopStringAndNeverStreamsAnyOfIt() {
        String stop = expectedText.substring(expectedText.length() / 2, expectedText.length() / 2 + 2);
        String before = expectedText.substring(0, expectedText.indexOf(stop));
        StringBuilder streamed = new StringBuilder();
        TextGenerator.Result r = new TextGenerator(model.newSession(), tokenizer, List.of())
                .generate(prompt, 32, SamplingSettings.greedy(), List.of("never appears \u0001", stop),
                        streamed::append);
        assertThat(r.generation().stopReason()).isEqualTo(StopReason.STOP_STRING);
        assertThat(r.text()).isEqualTo(before);
        assertThat(streamed.toString()).isEqualTo(before);
        assertThat(r.generation().tokens().length).isLessThan(32);
    }
}
