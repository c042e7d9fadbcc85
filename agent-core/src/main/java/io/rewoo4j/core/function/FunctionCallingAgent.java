package io.rewoo4j.core.function;

import java.util.Objects;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.planner.prompt.PromptFormat;
import reactor.core.publisher.Mono;

/**
 * The whole function-calling loop: the user's input becomes the {@link FunctionPrompt}, the model chooses a function
 * and params, and the call is {@linkplain FunctionDispatcher dispatched}.
 *
 * <p>When the answer is asked for in JSON, generation is cancelled as soon as the model has written a complete call
 * object that no later text could change ({@link FunctionCallExtractor#settledJsonCall}): models tend to explain
 * their choice afterwards, and those tokens would only delay the call.
 *
 * <p>Errors: the model's own failure (unreachable server, ...) is passed on unchanged and nothing is invoked; an
 * answer with no call, an unknown function or invalid params fail as {@link DispatchException}s before anything is
 * invoked; see {@link FunctionDispatcher} for the rest. Thread-safe and immutable.
 */
public final class FunctionCallingAgent {

    private final LanguageModel model;
    private final PromptFormat format;
    private final FunctionDispatcher dispatcher;
    private final GenerationOptions options;
    private final FunctionPrompt.AnswerFormat answerFormat;

    /** An agent asking for JSON answers, decoding greedily (the seeds advise a very low temperature). */
    public FunctionCallingAgent(LanguageModel model, PromptFormat format, FunctionDispatcher dispatcher) {
        this(model, format, dispatcher, GenerationOptions.defaults(), FunctionPrompt.AnswerFormat.JSON);
    }

    private FunctionCallingAgent(LanguageModel model, PromptFormat format, FunctionDispatcher dispatcher,
                                 GenerationOptions options, FunctionPrompt.AnswerFormat answerFormat) {
        this.model = Objects.requireNonNull(model, "model");
        this.format = Objects.requireNonNull(format, "format");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.options = Objects.requireNonNull(options, "options");
        this.answerFormat = Objects.requireNonNull(answerFormat, "answerFormat");
    }

    /** This agent sampling with {@code generationOptions}; the prompt format's stop sequences are added to them. */
    public FunctionCallingAgent withGenerationOptions(GenerationOptions generationOptions) {
        return new FunctionCallingAgent(model, format, dispatcher, generationOptions, answerFormat);
    }

    /** This agent asking the model to answer in {@code answer} format (either is read back). */
    public FunctionCallingAgent withAnswerFormat(FunctionPrompt.AnswerFormat answer) {
        return new FunctionCallingAgent(model, format, dispatcher, options, answer);
    }

    /** The prompt the model is sent for {@code input}, wrapped in the prompt format. */
    public String prompt(String input) {
        return FunctionPrompt.render(format, input, dispatcher.registry().specs(), answerFormat);
    }

    /** Asks the model to choose, then dispatches its choice. */
    public Mono<DispatchResult> call(String input) {
        return select(input).flatMap(dispatcher::dispatch);
    }

    /** Asks the model to choose and reads its call, invoking nothing (the call is not yet validated). */
    public Mono<FunctionCall> select(String input) {
        Objects.requireNonNull(input, "input");
        return Mono.defer(() -> {
            GenerationRequest request = new GenerationRequest(prompt(input),
                    options.plusStopSequences(FunctionPrompt.stopSequences(format)));
            // chunks arrive one at a time (Reactive Streams), so the builder needs no lock
            StringBuilder answer = new StringBuilder();
            boolean stopEarly = answerFormat == FunctionPrompt.AnswerFormat.JSON;
            return model.generate(request)
                    .doOnNext(answer::append)
                    .takeUntil(chunk -> stopEarly && chunk.indexOf('}') >= 0
                            && FunctionCallExtractor.settledJsonCall(answer).isPresent())
                    .then(Mono.fromCallable(() -> FunctionCallExtractor.extract(answer.toString())));
        });
    }
}
