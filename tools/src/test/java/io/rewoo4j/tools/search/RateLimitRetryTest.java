package io.rewoo4j.tools.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The backoff schedule of {@link DuckDuckGoSearch#retrySpec}, on virtual time. */
class RateLimitRetryTest {

    private static final DuckDuckGoOptions OPTIONS = DuckDuckGoOptions.defaults()
            .withBaseUrl(URI.create("http://127.0.0.1:9/html/"))
            .withRetries(3, Duration.ofSeconds(2), Duration.ofSeconds(20));

    private static DuckDuckGoRateLimitedException limited() {
        return new DuckDuckGoRateLimitedException(DuckDuckGoRateLimitedException.Signal.STATUS, 202, "http://x/");
    }

    @Test
    void waitsWithGrowingPausesAndThenSignalsTheRateLimitItself() {
        AtomicInteger attempts = new AtomicInteger();

        StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
                    attempts.incrementAndGet();
                    return Mono.<String>error(limited());
                }).retryWhen(DuckDuckGoSearch.retrySpec(OPTIONS)))
                .expectSubscription()
                // The first pause is 2 s ± 50%: nothing may happen in the first second.
                .expectNoEvent(Duration.ofMillis(999))
                .then(() -> assertThat(attempts).hasValue(1))
                .thenAwait(Duration.ofSeconds(2))
                .then(() -> assertThat(attempts).hasValue(2))
                // Pauses of 4 s and 8 s (± 50%) follow; 20 s covers both.
                .thenAwait(Duration.ofSeconds(20))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DuckDuckGoRateLimitedException.class))
                .verify(Duration.ofSeconds(5));
        assertThat(attempts).hasValue(4);
    }

    @Test
    void succeedsOnceTheLimitIsLifted() {
        AtomicInteger attempts = new AtomicInteger();

        StepVerifier.withVirtualTime(() -> Mono.defer(() -> attempts.incrementAndGet() < 3
                        ? Mono.<String>error(limited()) : Mono.just("results"))
                        .retryWhen(DuckDuckGoSearch.retrySpec(OPTIONS)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectNext("results")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(attempts).hasValue(3);
    }

    @Test
    void otherErrorsAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();

        StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
                    attempts.incrementAndGet();
                    return Mono.<String>error(new DuckDuckGoPageFormatException("http://x/", "changed markup"));
                }).retryWhen(DuckDuckGoSearch.retrySpec(OPTIONS)))
                .expectSubscription()
                .expectError(DuckDuckGoPageFormatException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(attempts).hasValue(1);
    }
}
