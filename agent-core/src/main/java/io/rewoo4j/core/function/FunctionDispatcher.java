package io.rewoo4j.core.function;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

/**
 * Looks up, validates and invokes function calls against a {@link FunctionRegistry}. This is what
 * {@code POST /api/v1/functions/dispatch} adapts: each entry point takes the call in one shape and emits a
 * {@link DispatchResult}, or a {@link DispatchException} whose {@link DispatchException#kind() kind} decides the
 * HTTP status.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Lazy: nothing is looked up, validated or invoked until the {@link Mono} is subscribed; each subscription is
 *       one dispatch.</li>
 *   <li>A function is invoked only through a {@link ValidatedCall}: an unknown function
 *       ({@link DispatchException.UnknownFunction}), invalid params ({@link DispatchException.InvalidParams}) or
 *       unreadable input ({@link DispatchException.NoFunctionCall}) fail before anything runs.</li>
 *   <li>Any error of the invocation, a throwing implementation and the {@linkplain #withTimeout timeout} included,
 *       becomes {@link DispatchException.FunctionFailed} with the original error as its cause. Cancelling the
 *       subscription cancels the invocation.</li>
 * </ul>
 * Thread-safe and immutable.
 */
public final class FunctionDispatcher {

    private final FunctionRegistry registry;
    private final Duration timeout;

    public FunctionDispatcher(FunctionRegistry registry) {
        this(registry, null);
    }

    private FunctionDispatcher(FunctionRegistry registry, Duration timeout) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.timeout = timeout;
    }

    /**
     * This dispatcher with a limit on each invocation; past it the invocation is cancelled and the dispatch fails
     * with {@link DispatchException.FunctionFailed} (its cause a {@link java.util.concurrent.TimeoutException}).
     */
    public FunctionDispatcher withTimeout(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + limit);
        }
        return new FunctionDispatcher(registry, limit);
    }

    public FunctionRegistry registry() {
        return registry;
    }

    // --- entry points ---------------------------------------------------------------------------------------

    /** Dispatches a call already read. */
    public Mono<DispatchResult> dispatch(FunctionCall call) {
        Objects.requireNonNull(call, "call");
        return Mono.defer(() -> invoke(validate(call)));
    }

    /** Dispatches a call object {@code {"function": NAME, "params": {...}}} (aliases as {@link FunctionCall#fromJson}). */
    public Mono<DispatchResult> dispatch(JsonNode callObject) {
        Objects.requireNonNull(callObject, "callObject");
        return Mono.defer(() -> dispatch(FunctionCall.fromJson(callObject)));
    }

    /** Dispatches a call object given as a map of JSON-like values (a deserialised request body). */
    public Mono<DispatchResult> dispatch(Map<String, ?> callObject) {
        Objects.requireNonNull(callObject, "callObject");
        return Mono.defer(() -> dispatch(FunctionCall.fromJson(Mappers.STRICT.valueToTree(callObject))));
    }

    /**
     * Dispatches a call object given as JSON text, which must be exactly one JSON object (strict JSON: a request
     * body, not a model's prose; for that see {@link #dispatchModelOutput}).
     */
    public Mono<DispatchResult> dispatchJson(String callJson) {
        Objects.requireNonNull(callJson, "callJson");
        return Mono.defer(() -> {
            JsonNode node;
            try {
                node = Mappers.STRICT.readTree(callJson);
            } catch (JacksonException e) {
                return Mono.error(new DispatchException.NoFunctionCall("not a JSON object: " + e.getOriginalMessage(),
                        '"' + Mappers.abbreviate(callJson.strip(), 200) + '"'));
            }
            return dispatch(FunctionCall.fromJson(node));
        });
    }

    /** Dispatches the call in a model's answer, read by {@link FunctionCallExtractor#extract}. */
    public Mono<DispatchResult> dispatchModelOutput(String modelOutput) {
        Objects.requireNonNull(modelOutput, "modelOutput");
        return Mono.defer(() -> dispatch(FunctionCallExtractor.extract(modelOutput)));
    }

    // --- the two halves -------------------------------------------------------------------------------------

    /**
     * Resolves and validates a call without invoking anything: for a dry run, or to check a call before deciding to
     * make it.
     *
     * @throws DispatchException.UnknownFunction if no function has the call's name (exactly, then ignoring case)
     * @throws DispatchException.InvalidParams   if the params break the function's schema, listing every violation
     */
    public ValidatedCall validate(FunctionCall call) {
        AgentFunction function = registry.find(call.function())
                .orElseThrow(() -> new DispatchException.UnknownFunction(call.function(), registry.names()));
        List<ParamViolation> violations = ParameterValidator.validate(function.spec().parameters(), call.params());
        if (!violations.isEmpty()) {
            throw new DispatchException.InvalidParams(function.name(), violations);
        }
        return new ValidatedCall(function, FunctionParams.of(call.params()));
    }

    /** Invokes a validated call; see the class guarantees. */
    public Mono<DispatchResult> invoke(ValidatedCall call) {
        Objects.requireNonNull(call, "call");
        String name = call.function().name();
        FunctionParams params = call.params();
        Mono<?> invocation = Mono.defer(() -> call.function().invoke(params));
        if (timeout != null) {
            invocation = invocation.timeout(timeout);
        }
        return invocation
                .map(result -> new DispatchResult(name, params.asJson(), result))
                .switchIfEmpty(Mono.fromSupplier(() -> new DispatchResult(name, params.asJson(), null)))
                .onErrorMap(e -> new DispatchException.FunctionFailed(name, e));
    }
}
