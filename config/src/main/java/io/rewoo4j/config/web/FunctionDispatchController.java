package io.rewoo4j.config.web;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.rewoo4j.config.model.ModelStatus;
import io.rewoo4j.core.function.DispatchException;
import io.rewoo4j.core.function.DispatchResult;
import io.rewoo4j.core.function.FunctionCallingAgent;
import io.rewoo4j.core.function.FunctionDispatcher;
import io.rewoo4j.core.function.ParamViolation;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/v1/functions/dispatch}: JSON function calling. The body gives exactly one of
 * <ul>
 *   <li>{@code input}: the user's words; the model picks the function and its params (needs a model, else 503);</li>
 *   <li>{@code output}: a model's answer to extract the call from (JSON or YAML, fenced or in prose);</li>
 *   <li>{@code call}: the call itself, {@code {"function": ..., "params": {...}}}.</li>
 * </ul>
 * The answer is {@code {function, params, result}}. An unknown function, invalid params or no call found is a 422
 * problem naming what was wrong, and nothing is invoked; a function that fails is a 502 problem.
 */
@RestController
@RequestMapping("/api/v1/functions")
class FunctionDispatchController {

    /** The request body: exactly one of the three. */
    record DispatchRequest(String input, String output, Map<String, Object> call) {
    }

    private final FunctionDispatcher dispatcher;
    private final FunctionCallingAgent agent;
    private final ModelStatus model;
    private final ServerProperties server;

    FunctionDispatchController(FunctionDispatcher dispatcher, FunctionCallingAgent agent, ModelStatus model,
                               ServerProperties server) {
        this.dispatcher = dispatcher;
        this.agent = agent;
        this.model = model;
        this.server = server;
    }

    @PostMapping(path = "/dispatch", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<DispatchResult> dispatch(@RequestBody DispatchRequest request) {
        return Mono.defer(() -> start(request)).onErrorMap(DispatchException.class, FunctionDispatchController::problem);
    }

    private Mono<DispatchResult> start(DispatchRequest request) {
        int given = (request.input() == null ? 0 : 1) + (request.output() == null ? 0 : 1) + (request.call() == null ? 0 : 1);
        if (given != 1) {
            throw ApiProblem.badRequest("give exactly one of 'input' (the user's words), 'output' (a model's answer) "
                    + "or 'call' ({\"function\": ..., \"params\": {...}})");
        }
        if (request.call() != null) {
            return dispatcher.dispatch(request.call());
        }
        if (request.output() != null) {
            return dispatcher.dispatchModelOutput(request.output());
        }
        if (request.input().isBlank()) {
            throw ApiProblem.badRequest("'input' is empty");
        }
        if (request.input().length() > server.maxQuestionLength()) {
            throw ApiProblem.tooLarge("'input' is " + request.input().length() + " characters; the limit is "
                    + server.maxQuestionLength() + " (rewoo.server.max-question-length)");
        }
        model.requireAvailable();
        return agent.call(request.input());
    }

    private static ApiProblem problem(DispatchException e) {
        ApiProblem problem;
        if (e instanceof DispatchException.FunctionFailed failed) {
            problem = ApiProblem.of(HttpStatus.BAD_GATEWAY, "function-failed", "Function failed", e.getMessage());
            problem.getBody().setProperty("function", failed.function());
        } else {
            problem = ApiProblem.of(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-function-call", "Invalid function call",
                    e.getMessage());
        }
        problem.getBody().setProperty("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (e instanceof DispatchException.UnknownFunction unknown) {
            problem.getBody().setProperty("function", unknown.function());
            problem.getBody().setProperty("known", unknown.known());
        } else if (e instanceof DispatchException.InvalidParams invalid) {
            problem.getBody().setProperty("function", invalid.function());
            problem.getBody().setProperty("violations", invalid.violations().stream().map(FunctionDispatchController::view).toList());
        } else if (e instanceof DispatchException.NoFunctionCall none) {
            problem.getBody().setProperty("excerpt", none.excerpt());
        }
        return problem;
    }

    private static Map<String, String> view(ParamViolation v) {
        return Map.of("path", v.path(), "rule", v.rule().name().toLowerCase(java.util.Locale.ROOT),
                "expected", String.valueOf(v.expected()), "actual", String.valueOf(v.actual()), "message", v.message());
    }
}
