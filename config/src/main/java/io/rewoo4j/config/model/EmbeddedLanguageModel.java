package io.rewoo4j.config.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.runtime.generate.SamplingSettings;
import io.rewoo4j.runtime.generate.TextGenerator;
import io.rewoo4j.runtime.model.Backend;
import io.rewoo4j.runtime.model.LoadedModel;
import io.rewoo4j.runtime.model.Session;
import io.rewoo4j.runtime.tokenizer.Tokenizer;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The local GPTQ runtime as a {@link LanguageModel}. Completions run one at a time on a thread of their own (the
 * kernels parallelise each one across the cores; running two at once would only make both slower), streaming the
 * text as it is decoded; cancelling a completion stops it at the next piece of text.
 */
public final class EmbeddedLanguageModel implements LanguageModel, AutoCloseable {

    private final LoadedModel model;
    private final Tokenizer tokenizer;
    private final int contextLength;
    private final Scheduler worker = Schedulers.newSingle("rewoo-embedded-model", true);

    private EmbeddedLanguageModel(LoadedModel model, Tokenizer tokenizer, int contextLength) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.contextLength = Math.min(contextLength, model.config().maxPositionEmbeddings());
    }

    /** Loads the checkpoint and tokenizer in {@code dir} on the CPU backend (the weights are memory-mapped). */
    public static EmbeddedLanguageModel load(Path dir, int contextLength) {
        return load(dir, contextLength, Backend.CPU);
    }

    /**
     * Loads the checkpoint and tokenizer in {@code dir} on {@code backend}: {@link Backend#AUTO} takes the CUDA
     * backend when a device is usable and the model fits (else the CPU, saying why once in the log);
     * {@link Backend#CUDA} fails with the reason when no device is usable.
     */
    public static EmbeddedLanguageModel load(Path dir, int contextLength, Backend backend) {
        LoadedModel model = LoadedModel.load(dir, backend);
        try {
            return new EmbeddedLanguageModel(model, Tokenizer.load(dir), contextLength);
        } catch (IOException e) {
            model.close();
            throw new UncheckedIOException("cannot read the tokenizer in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public Flux<String> generate(GenerationRequest request) {
        return Flux.<String>create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onDispose(() -> cancelled.set(true));
            try {
                GenerationOptions o = request.options();
                SamplingSettings settings = o.temperature() == 0 ? SamplingSettings.greedy()
                        : new SamplingSettings((float) o.temperature(), o.topK(), (float) o.topP(),
                        (float) o.repetitionPenalty(), o.seed() == null ? System.nanoTime() : o.seed());
                if (o.temperature() == 0 && o.repetitionPenalty() != 1) {
                    settings = settings.withRepetitionPenalty((float) o.repetitionPenalty());
                }
                // closed at once: on the CUDA backend the session's KV cache is device memory
                try (Session session = model.newSession(contextLength)) {
                    new TextGenerator(session, tokenizer).generate(request.prompt(), o.maxTokens(), settings,
                            o.stopSequences(), text -> {
                                if (cancelled.get()) {
                                    throw new CancellationException();
                                }
                                if (!text.isEmpty()) {
                                    sink.next(text);
                                }
                            });
                }
                sink.complete();
            } catch (CancellationException e) {
                // the subscriber is gone; nothing to report
            } catch (RuntimeException e) {
                sink.error(e);
            }
        }).subscribeOn(worker);
    }

    /** The backend in use, {@code auto} resolved: {@code cpu} or {@code cuda}. */
    public String backend() {
        return model.backend().configName();
    }

    /** What the model runs on (the CUDA device, or the CPU cores), for health and logs. */
    public String device() {
        return model.deviceDescription()
                .orElse(Runtime.getRuntime().availableProcessors() + " CPU cores");
    }

    /** Why {@code auto} fell back to the CPU, when it did. */
    public java.util.Optional<String> backendNote() {
        return model.backendNote();
    }

    @Override
    public void close() {
        worker.dispose();
        model.close();
    }
}
