package io.rewoo4j.core.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * When to stop calling a failing tool for a while. The breaker counts the outcomes of the last
 * {@code slidingWindowSize} calls (each attempt counts); once at least {@code minimumNumberOfCalls} were made and the
 * failure rate reaches {@code failureRateThreshold} percent it opens, and calls fail at once without reaching the
 * tool. After {@code waitInOpenState} it lets {@code permittedCallsInHalfOpenState} trial calls through and closes
 * again if they succeed.
 */
public record CircuitBreakerPolicy(boolean enabled, float failureRateThreshold, int slidingWindowSize,
                                   int minimumNumberOfCalls, Duration waitInOpenState,
                                   int permittedCallsInHalfOpenState) {

    public CircuitBreakerPolicy {
        Objects.requireNonNull(waitInOpenState, "waitInOpenState");
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("failureRateThreshold must be in (0, 100]: " + failureRateThreshold);
        }
        if (slidingWindowSize < 1 || minimumNumberOfCalls < 1 || permittedCallsInHalfOpenState < 1) {
            throw new IllegalArgumentException("window, minimum calls and half-open calls must be positive");
        }
        if (waitInOpenState.isNegative() || waitInOpenState.isZero()) {
            throw new IllegalArgumentException("waitInOpenState must be positive: " + waitInOpenState);
        }
    }

    /** Opens at 50% failures over the last 20 calls (at least 10 made), for 30 s; 2 trial calls. */
    public static CircuitBreakerPolicy defaults() {
        return new CircuitBreakerPolicy(true, 50, 20, 10, Duration.ofSeconds(30), 2);
    }

    /** No circuit breaker. */
    public static CircuitBreakerPolicy disabled() {
        return new CircuitBreakerPolicy(false, 50, 20, 10, Duration.ofSeconds(30), 2);
    }
}
