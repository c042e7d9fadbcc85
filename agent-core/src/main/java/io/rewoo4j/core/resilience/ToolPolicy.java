package io.rewoo4j.core.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * How calls of one tool are guarded.
 *
 * @param timeout                    the longest one attempt may take; {@code null} for no limit
 * @param retry                      how often to try and how long to wait in between
 * @param circuitBreaker             when to stop calling a failing tool
 * @param maxConcurrency             the most calls of this tool the executor runs at once, across all runs; further
 *                                   ready steps wait in a queue
 * @param bulkheadMaxConcurrentCalls a hard cap on concurrent calls through {@link ToolResilience}, across every
 *                                   caller (executor, function dispatch, CLI); a call over it is rejected at once,
 *                                   never waited for. {@code 0} for none. When set it must be at least
 *                                   {@code maxConcurrency}, so that the executor's own queueing never trips it
 */
public record ToolPolicy(Duration timeout, RetryPolicy retry, CircuitBreakerPolicy circuitBreaker, int maxConcurrency,
                         int bulkheadMaxConcurrentCalls) {

    public ToolPolicy {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive (or null for none): " + timeout);
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be positive: " + maxConcurrency);
        }
        if (bulkheadMaxConcurrentCalls < 0) {
            throw new IllegalArgumentException("bulkheadMaxConcurrentCalls must be >= 0: " + bulkheadMaxConcurrentCalls);
        }
        if (bulkheadMaxConcurrentCalls > 0 && bulkheadMaxConcurrentCalls < maxConcurrency) {
            throw new IllegalArgumentException("bulkheadMaxConcurrentCalls (" + bulkheadMaxConcurrentCalls
                    + ") must be >= maxConcurrency (" + maxConcurrency + ")");
        }
    }

    /** 30 s per attempt, {@linkplain RetryPolicy#defaults() 3 attempts}, a default circuit breaker, 8 at once, bulkhead 64. */
    public static ToolPolicy defaults() {
        return new ToolPolicy(Duration.ofSeconds(30), RetryPolicy.defaults(), CircuitBreakerPolicy.defaults(), 8, 64);
    }

    /** No timeout, no retry, no circuit breaker, no bulkhead; at most {@code maxConcurrency} at once. */
    public static ToolPolicy unguarded(int maxConcurrency) {
        return new ToolPolicy(null, RetryPolicy.none(), CircuitBreakerPolicy.disabled(), maxConcurrency, 0);
    }

    public ToolPolicy withTimeout(Duration t) {
        return new ToolPolicy(t, retry, circuitBreaker, maxConcurrency, bulkheadMaxConcurrentCalls);
    }

    public ToolPolicy withRetry(RetryPolicy r) {
        return new ToolPolicy(timeout, r, circuitBreaker, maxConcurrency, bulkheadMaxConcurrentCalls);
    }

    public ToolPolicy withCircuitBreaker(CircuitBreakerPolicy cb) {
        return new ToolPolicy(timeout, retry, cb, maxConcurrency, bulkheadMaxConcurrentCalls);
    }

    /** With a new concurrency limit; the bulkhead is raised to it if it was set lower. */
    public ToolPolicy withMaxConcurrency(int max) {
        int bulkhead = bulkheadMaxConcurrentCalls == 0 ? 0 : Math.max(bulkheadMaxConcurrentCalls, max);
        return new ToolPolicy(timeout, retry, circuitBreaker, max, bulkhead);
    }

    public ToolPolicy withBulkhead(int maxConcurrentCalls) {
        return new ToolPolicy(timeout, retry, circuitBreaker, maxConcurrency, maxConcurrentCalls);
    }
}
