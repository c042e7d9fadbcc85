package io.rewoo4j.config.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.runtime.generate.SamplingSettings;
import io.rewoo4j.runtime.generate.TextGenerator;
import io.rewoo4j.runtime.model.LoadedModel;
import io.rewoo4j.runtime.tokenizer.Tokenizer;
import reactor.test.StepVerifier;

/**
 * {@code rewoo.model.provider=embedded}: the local runtime behind the {@link LanguageModel} bean, on the runtime's
 * tiny test checkpoint with the Mistral tokenizer (whose first 256 ids, all the tiny model knows, are control and
 * byte pieces: so the prompt is empty — BOS alone — and the text is the bytes the model writes).
 */
class EmbeddedModelTests {

    private static final Path RESOURCES = Path.of("..", "model-runtime", "src", "test", "resources");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ModelAutoConfiguration.class));

    /** The tiny Llama checkpoint and the tokenizer, in one folder as a user's download would be. */
    private static Path checkpoint(Path dir) throws Exception {
        Path model = RESOURCES.resolve("models").resolve("llama-f16");
        Path tokenizer = RESOURCES.resolve("tokenizer").resolve("mistral-v1");
        for (Path file : List.of(model.resolve("config.json"), model.resolve("model.safetensors"),
                tokenizer.resolve("tokenizer.model"), tokenizer.resolve("tokenizer_config.json"))) {
            Files.copy(file, dir.resolve(file.getFileName()));
        }
        return dir;
    }

    @Test
    void theEmbeddedModelStreamsWhatTheRuntimeGenerates(@TempDir Path dir) throws Exception {
        Path checkpoint = checkpoint(dir);
        String expected;
        try (LoadedModel model = LoadedModel.load(checkpoint)) {
            expected = new TextGenerator(model.newSession(), Tokenizer.load(checkpoint))
                    .generate("", 12, SamplingSettings.greedy(), List.of(), text -> { }).text();
        }
        runner.withPropertyValues("rewoo.model.provider=embedded", "rewoo.model.path=" + checkpoint,
                        "rewoo.model.backend=cpu")
                .run(context -> {
                    assertThat(context.getBean(ModelStatus.class).available()).isTrue();
                    LanguageModel model = context.getBean(LanguageModel.class);
                    assertThat(model).isInstanceOf(EmbeddedLanguageModel.class);
                    StepVerifier.create(model.generate(new GenerationRequest("",
                                    GenerationOptions.defaults().withMaxTokens(12))).reduce(String::concat))
                            .expectNext(expected)
                            .expectComplete()
                            .verify(Duration.ofSeconds(30));
                });
        assertThat(expected).isNotEmpty();
    }

    @Test
    void aPromptTheModelCannotReadIsAnErrorSignalNamingTheToken(@TempDir Path dir) throws Exception {
        Path checkpoint = checkpoint(dir);
        runner.withPropertyValues("rewoo.model.provider=embedded", "rewoo.model.path=" + checkpoint)
                .run(context -> StepVerifier.create(context.getBean(LanguageModel.class).generate(GenerationRequest.of("hi")))
                        .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("outside the vocabulary"))
                        .verify(Duration.ofSeconds(30)));
    }

    @Test
    void aPathWithoutACheckpointIsReportedNotLoaded(@TempDir Path dir) {
        runner.withPropertyValues("rewoo.model.provider=embedded", "rewoo.model.path=" + dir).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ModelStatus.class).reason()).contains("no config.json");
            StepVerifier.create(context.getBean(LanguageModel.class).generate(GenerationRequest.of("hi")))
                    .expectError(ModelUnavailableException.class).verify(Duration.ofSeconds(5));
        });
    }

    @Test
    void embeddedWithoutAPathSaysWhatToSet() {
        runner.withPropertyValues("rewoo.model.provider=embedded").run(context -> {
            assertThat(context.getBean(ModelStatus.class).available()).isFalse();
            assertThat(context.getBean(ModelStatus.class).reason()).contains("rewoo.model.path");
        });
    }
}
