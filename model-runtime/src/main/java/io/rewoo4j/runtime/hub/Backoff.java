package io.rewoo4j.runtime.hub;

import java.io.InterruptedIOException;
import java.time.Duration;

/** How often and how patiently to retry: {@code attempts} tries, waiting {@code initial} doubled each time (at most 30 s). */
record Backoff(int attempts, Duration initial) {

    private static final Duration MAX = Duration.ofSeconds(30);

    Backoff {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        }
        if (initial.isNegative()) {
            throw new IllegalArgumentException("negative backoff: " + initial);
        }
    }

    /** Waits before try number {@code failures + 1}. */
    void pause(int failures) throws InterruptedIOException {
        Duration wait = initial.multipliedBy(1L << Math.min(failures - 1, 20));
        if (wait.compareTo(MAX) > 0) {
            wait = MAX;
        }
        if (wait.isZero()) {
            return;
        }
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }
}
