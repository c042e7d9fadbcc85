package io.rewoo4j.tools.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Retries of a model call that failed before the server sent any text (rate limits, 5xx, broken or refused
 * connections; see {@link ModelClientException#isRetryable()}). Once text has been emitted a failure is final: the
 * clients never emit text twice.
 * <p>
 * The n-th retry (n = 1, 2, …) waits {@code initialBackoff * 2^(n-1)}, at most {@code maxBackoff}, spread by
 * ±{@code jitter} so that concurrent calls do not retry in lockstep. A {@code Retry-After} from the server raises the
 * wait to what it asks; if it asks for more than {@code maxBackoff}, the call fails at once with the server's error
 * instead of waiting that long.
 *
 * @param maxRetries     retries after the first attempt; {@code 0} disables retrying (default 3)
 * @param initialBackoff the wait before the first retry (default 500 ms; {@code null} takes it)
 * @param maxBackoff     the longest wait before one retry (default 30 s; {@code null} takes it)
 * @param jitter         the random spread of each wait, a fraction in [0, 1) (default 0.2)
 */
public record RetrySettings(int maxRetries, Duration initialBackoff, Duration maxBackoff, double jitter) {

    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final double DEFAULT_JITTER = 0.2;

    public RetrySettings {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
        }
        initialBackoff = Objects.requireNonNullElse(initialBackoff, DEFAULT_INITIAL_BACKOFF);
        maxBackoff = Objects.requireNonNullElse(maxBackoff, DEFAULT_MAX_BACKOFF);
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "need 0 <= initialBackoff <= maxBackoff: " + initialBackoff + ", " + maxBackoff);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
        }
    }

    public static RetrySettings defaults() {
        return new RetrySettings(DEFAULT_MAX_RETRIES, null, null, DEFAULT_JITTER);
    }

    /** No retries: every failure is final. */
    public static RetrySettings none() {
        return new RetrySettings(0, null, null, DEFAULT_JITTER);
    }

    public RetrySettings withMaxRetries(int n) {
        return new RetrySettings(n, initialBackoff, maxBackoff, jitter);
    }

    public RetrySettings withBackoff(Duration initial, Duration max) {
        return new RetrySettings(maxRetries, initial, max, jitter);
    }

    public RetrySettings withJitter(double j) {
        return new RetrySettings(maxRetries, initialBackoff, maxBackoff, j);
    }
}
