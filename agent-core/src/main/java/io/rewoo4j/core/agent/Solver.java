package io.rewoo4j.core.agent;

import java.time.Duration;
import java.util.Map;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.planner.prompt.SolverPrompt;
import reactor.core.publisher.Mono;

/** The ReWOO solver: asks the model to answer the question from the plan and the evidence gathered. */
final class Solver {

    private final LanguageModel model;
    private final PromptFormat format;
    private final GenerationOptions options;
    private final Duration timeout;

    Solver(LanguageModel model, PromptFormat format, GenerationOptions options, Duration timeout) {
        this.model = model;
        this.format = format;
        this.options = options;
        this.timeout = timeout;
    }

    /** The solver's answer, stripped; an error if the model fails, times out or writes nothing. */
    Mono<String> solve(String question, PlanGraph plan, Map<String, String> evidenceById) {
        return Mono.defer(() -> {
            String prompt = SolverPrompt.render(format, question, plan, evidenceById);
            GenerationOptions opts = options.plusStopSequences(format.stopSequences());
            return model.generate(new GenerationRequest(prompt, opts))
                    .collect(StringBuilder::new, StringBuilder::append)
                    .timeout(timeout)
                    .flatMap(text -> {
                        String answer = text.toString().strip();
                        return answer.isEmpty() ? Mono.error(new IllegalStateException("the solver wrote nothing"))
                                : Mono.just(answer);
                    });
        });
    }
}
