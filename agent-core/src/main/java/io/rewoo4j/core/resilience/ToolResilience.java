package io.rewoo4j.core.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import reactor.core.publisher.Mono;

/**
 * Guards tool calls with each tool's {@link ToolPolicy}: a per-attempt timeout, retry with exponential backoff, a
 * circuit breaker and a bulkhead, using Resilience4j's Reactor operators. The breaker and bulkhead of a tool are
 * shared by every call made through one instance, so one instance should serve a whole application.
 *
 * <p>Operator order, inside out: bulkhead, timeout, circuit breaker, retry. Each attempt therefore gets its own
 * timeout and is counted by the breaker; an open breaker ({@link CallNotPermittedException}) and a non-retryable
 * {@link ToolException} are not retried. Timers run on Reactor's parallel scheduler, so virtual time applies in
 * tests. The bulkhead never waits: a call over its limit fails with
 * {@link io.github.resilience4j.bulkhead.BulkheadFullException} instead of blocking a thread.
 */
public final class ToolResilience {

    private final ToolPolicies policies;
    private final CircuitBreakerRegistry circuitBreakers;
    private final RetryRegistry retries;
    private final BulkheadRegistry bulkheads;
    private final TimeLimiterRegistry timeLimiters;
    private final ConcurrentHashMap<String, Guards> guardsByTool = new ConcurrentHashMap<>();

    public ToolResilience(ToolPolicies policies) {
        this(policies, CircuitBreakerRegistry.ofDefaults(), RetryRegistry.ofDefaults(), BulkheadRegistry.ofDefaults(),
                TimeLimiterRegistry.ofDefaults());
    }

    /**
     * With registries supplied by the application (to publish metrics). Instances are named after the tool; an
     * instance already in a registry under that name is reused as is.
     */
    public ToolResilience(ToolPolicies policies, CircuitBreakerRegistry circuitBreakers, RetryRegistry retries,
                          BulkheadRegistry bulkheads, TimeLimiterRegistry timeLimiters) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.circuitBreakers = Objects.requireNonNull(circuitBreakers, "circuitBreakers");
        this.retries = Objects.requireNonNull(retries, "retries");
        this.bulkheads = Objects.requireNonNull(bulkheads, "bulkheads");
        this.timeLimiters = Objects.requireNonNull(timeLimiters, "timeLimiters");
    }

    public ToolPolicies policies() {
        return policies;
    }

    /** The policy the named tool is called with. */
    public ToolPolicy policyFor(String tool) {
        return policies.policyFor(tool);
    }

    /** The circuit breaker guarding the named tool, if its policy has one (created on first use). */
    public Optional<CircuitBreaker> circuitBreaker(String tool) {
        return Optional.ofNullable(guards(tool).circuitBreaker());
    }

    /**
     * The state of every circuit breaker created so far (a tool's breaker is created by its first call), by tool
     * name. Reading it creates nothing.
     */
    public Map<String, CircuitBreaker.State> circuitBreakerStates() {
        Map<String, CircuitBreaker.State> states = new TreeMap<>();
        guardsByTool.forEach((tool, guards) -> {
            if (guards.circuitBreaker() != null) {
                states.put(tool, guards.circuitBreaker().getState());
            }
        });
        return states;
    }

    /** A guarded, lazy call of the tool. */
    public Mono<Evidence> call(Tool tool, ToolRequest request) {
        return call(tool, request, () -> {
        });
    }

    /**
     * A guarded, lazy call of the tool; {@code onAttempt} runs each time the tool itself is subscribed (so retries can
     * be counted). Build a fresh call for each use: a retrying call keeps its attempt count.
     */
    public Mono<Evidence> call(Tool tool, ToolRequest request, Runnable onAttempt) {
        Guards g = guards(tool.name());
        Mono<Evidence> call = Mono.defer(() -> {
            onAttempt.run();
            return tool.execute(request);
        });
        if (g.bulkhead() != null) {
            call = call.transformDeferred(BulkheadOperator.of(g.bulkhead()));
        }
        if (g.timeLimiter() != null) {
            call = call.transformDeferred(TimeLimiterOperator.of(g.timeLimiter()));
        }
        if (g.circuitBreaker() != null) {
            call = call.transformDeferred(CircuitBreakerOperator.of(g.circuitBreaker()));
        }
        if (g.retry() != null) {
            call = call.transformDeferred(RetryOperator.of(g.retry()));
        }
        return call;
    }

    private Guards guards(String tool) {
        Guards g = guardsByTool.get(tool);
        return g != null ? g : guardsByTool.computeIfAbsent(tool, this::createGuards);
    }

    private Guards createGuards(String tool) {
        ToolPolicy p = policies.policyFor(tool);
        TimeLimiter timeLimiter = p.timeout() == null ? null : timeLimiters.timeLimiter(tool,
                TimeLimiterConfig.custom().timeoutDuration(p.timeout()).cancelRunningFuture(true).build());
        Bulkhead bulkhead = p.bulkheadMaxConcurrentCalls() == 0 ? null : bulkheads.bulkhead(tool,
                BulkheadConfig.custom().maxConcurrentCalls(p.bulkheadMaxConcurrentCalls())
                        .maxWaitDuration(Duration.ZERO).build());
        CircuitBreakerPolicy cb = p.circuitBreaker();
        CircuitBreaker circuitBreaker = !cb.enabled() ? null : circuitBreakers.circuitBreaker(tool,
                CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(cb.slidingWindowSize())
                        .minimumNumberOfCalls(cb.minimumNumberOfCalls())
                        .failureRateThreshold(cb.failureRateThreshold())
                        .waitDurationInOpenState(cb.waitInOpenState())
                        .permittedNumberOfCallsInHalfOpenState(cb.permittedCallsInHalfOpenState())
                        .ignoreException(ToolResilience::isBadInput)
                        .build());
        RetryPolicy r = p.retry();
        Retry retry = !r.enabled() ? null : retries.retry(tool, RetryConfig.custom()
                .maxAttempts(r.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(r.initialBackoff(), r.multiplier(),
                        r.maxBackoff()))
                .retryOnException(Predicate.not(ToolResilience::isNotRetryable))
                .build());
        return new Guards(timeLimiter, bulkhead, circuitBreaker, retry);
    }

    private static boolean isBadInput(Throwable e) {
        return e instanceof ToolException te && !te.retryable();
    }

    private static boolean isNotRetryable(Throwable e) {
        // an open breaker will not close within a backoff; retrying would only delay the failure
        return isBadInput(e) || e instanceof CallNotPermittedException;
    }

    private record Guards(TimeLimiter timeLimiter, Bulkhead bulkhead, CircuitBreaker circuitBreaker, Retry retry) {
    }
}
