package io.rewoo4j.tools.model;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The retry schedule of {@link RetrySettings} as a Reactor {@link Retry}: exponential backoff with jitter, raised to
 * the server's {@code Retry-After}, and only while no text has been emitted. Waits run on Reactor's parallel
 * scheduler (virtual time in tests).
 */
final class RetryBackoff {

    private final RetrySettings settings;
    private final DoubleSupplier random;

    RetryBackoff(RetrySettings settings) {
        this(settings, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform values in [0, 1) for the jitter */
    RetryBackoff(RetrySettings settings, DoubleSupplier random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * The wait before retry number {@code retry} (1 for the first) after {@code failure}, or empty when the failure is
     * final: not a retryable {@link ModelClientException}, retries used up, or a {@code Retry-After} longer than
     * {@link RetrySettings#maxBackoff()}.
     */
    Optional<Duration> delayBefore(long retry, Throwable failure) {
        if (!(failure instanceof ModelClientException e) || !e.isRetryable() || retry > settings.maxRetries()) {
            return Optional.empty();
        }
        Duration backoff = exponential(retry);
        if (settings.jitter() > 0) {
            double factor = 1 + settings.jitter() * (2 * random.getAsDouble() - 1);
            backoff = Duration.ofNanos((long) (backoff.toNanos() * factor));
        }
        if (e instanceof HttpStatusException status && status.retryAfter().isPresent()) {
            Duration asked = status.retryAfter().get();
            if (asked.compareTo(settings.maxBackoff()) > 0) {
                return Optional.empty();
            }
            if (asked.compareTo(backoff) > 0) {
                backoff = asked;
            }
        }
        return Optional.of(backoff);
    }

    /**
     * A {@link Retry} that resubscribes after {@link #delayBefore}, as long as {@code textEmitted} is false; the final
     * failure is passed on as it is.
     */
    Retry retryUntil(BooleanSupplier textEmitted) {
        return Retry.from(signals -> signals.concatMap(signal -> {
            Throwable failure = signal.failure();
            if (textEmitted.getAsBoolean()) {
                return Mono.error(failure);
            }
            // totalRetries() counts the retries already made, so this is retry number totalRetries() + 1.
            Optional<Duration> delay = delayBefore(signal.totalRetries() + 1, failure);
            return delay.<Flux<Long>>map(d -> Mono.delay(d).flux()).orElseGet(() -> Flux.error(failure));
        }));
    }

    private Duration exponential(long retry) {
        Duration max = settings.maxBackoff();
        Duration d = settings.initialBackoff();
        for (long i = 1; i < retry && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
