package io.rewoo4j.core.tool;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.planner.prompt.ToolDescription;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A function a plan can call: {@code :evidence0: = DuckDuckGo[Nobel Prize in Literature 2020 winner]}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #name()} is what plans write before the brackets. It is stable, has no whitespace or brackets, and is
 *       unique (ignoring case) within a {@link ToolRegistry}.</li>
 *   <li>{@link #description()} is shown to the planning model verbatim after {@code Name[input]:}; it should say what
 *       the input is and what the output looks like, in one or two sentences.</li>
 *   <li>{@link #execute(ToolRequest)} is <em>lazy</em>: nothing happens until the returned {@link Mono} is subscribed,
 *       and every subscription is a fresh call (the executor resubscribes to retry). It emits exactly one
 *       {@link Evidence} or an error; completing empty is treated as a failure.</li>
 *   <li>It must not block the subscribing thread: the executor subscribes from whichever thread finished the last
 *       dependency, which may be a network event loop. Blocking work belongs on
 *       {@code subscribeOn(Schedulers.boundedElastic())}; see {@link #blocking}.</li>
 *   <li>It must honour cancellation: when the subscription is cancelled (step timeout, run deadline, client gone),
 *       in-flight I/O should be abandoned.</li>
 *   <li>Errors are signalled through the {@code Mono}. A {@link ToolException} that is not
 *       {@linkplain ToolException#retryable() retryable} (bad input) is neither retried nor counted against the
 *       tool's circuit breaker; any other error may be retried per the tool's policy.</li>
 *   <li>Timeouts, retries, circuit breaking and concurrency limits are applied by the caller; a tool should not add
 *       its own.</li>
 * </ul>
 * Implementations must be thread-safe: one instance serves concurrent calls from many runs.
 */
public interface Tool {

    /** The name plans call this tool by. */
    String name();

    /** What the tool does, as the planner prompt shows it. */
    String description();

    /**
     * A JSON Schema (as JSON text) for the input, for function-calling clients that want structured arguments.
     * Plans always pass a plain string; empty when the input is free text.
     */
    default Optional<String> inputSchema() {
        return Optional.empty();
    }

    /** A lazy call of this tool; see the class contract. */
    Mono<Evidence> execute(ToolRequest request);

    /** This tool as the planner prompt lists it. */
    default ToolDescription toDescription() {
        return new ToolDescription(name(), description());
    }

    /** A tool from a reactive function. */
    static Tool of(String name, String description, Function<ToolRequest, Mono<Evidence>> function) {
        return new FunctionTool(name, description, function);
    }

    /**
     * A tool from a blocking function: each call runs on {@link Schedulers#boundedElastic()}, so the calling thread is
     * never blocked.
     */
    static Tool blocking(String name, String description, Function<ToolRequest, Evidence> function) {
        Objects.requireNonNull(function, "function");
        return new FunctionTool(name, description,
                request -> Mono.fromCallable(() -> function.apply(request)).subscribeOn(Schedulers.boundedElastic()));
    }
}
