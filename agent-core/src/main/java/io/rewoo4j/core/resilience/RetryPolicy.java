package io.rewoo4j.core.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * How often to try a tool call and how long to wait in between: exponential backoff from {@code initialBackoff},
 * multiplied by {@code multiplier} after each failure, capped at {@code maxBackoff}.
 *
 * @param maxAttempts    calls in all, the first included; {@code 1} means no retry
 * @param initialBackoff the wait before the second call
 * @param multiplier     growth of the wait per further call (at least 1)
 * @param maxBackoff     the longest wait
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be positive: " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff must be positive: " + initialBackoff);
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("multiplier must be >= 1: " + multiplier);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be >= initialBackoff: " + maxBackoff);
        }
    }

    /** Three attempts, waiting 200 ms then 400 ms (capped at 5 s). */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(200), 2, Duration.ofSeconds(5));
    }

    /** One attempt only. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ofMillis(1), 1, Duration.ofMillis(1));
    }

    /** Whether a failed call is ever tried again. */
    public boolean enabled() {
        return maxAttempts > 1;
    }
}
