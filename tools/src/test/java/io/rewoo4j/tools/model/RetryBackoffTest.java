package io.rewoo4j.tools.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The retry schedule, on virtual time: no server, no waiting. */
class RetryBackoffTest {

    private static final URI URL = URI.create("http://model.test/v1/completions");
    private static final RetrySettings SETTINGS = new RetrySettings(3, Duration.ofMillis(100), Duration.ofSeconds(1), 0);

    /** A source that records the (virtual) time of each subscription and fails with the next of {@code failures}. */
    private static final class FailingSource {
        final List<Long> subscribedAt = new CopyOnWriteArrayList<>();
        final AtomicBoolean emitted = new AtomicBoolean();

        Flux<String> flux(Supplier<Throwable> failure, String... textFirst) {
            return Flux.defer(() -> {
                subscribedAt.add(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
                return Flux.just(textFirst).concatWith(Flux.error(failure.get()));
            }).doOnNext(text -> emitted.set(true));
        }
    }

    private static ServerErrorException serverError() {
        return new ServerErrorException(URL, 503, "warming up", null);
    }

    @Test
    void retriesWithDoublingBackoffThenFailsWithTheLastErrorAsItIs() {
        FailingSource source = new FailingSource();
        StepVerifier.withVirtualTime(() -> source.flux(RetryBackoffTest::serverError)
                        .retryWhen(new RetryBackoff(SETTINGS).retryUntil(source.emitted::get)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ServerErrorException.class)
                        .hasMessageContaining("HTTP 503: warming up"))
                .verify(Duration.ofSeconds(5));
        assertThat(source.subscribedAt).containsExactly(0L, 100L, 300L, 700L);
    }

    @Test
    void backoffIsCappedAtTheMaximum() {
        FailingSource source = new FailingSource();
        RetrySettings settings = new RetrySettings(5, Duration.ofMillis(300), Duration.ofMillis(1000), 0);
        StepVerifier.withVirtualTime(() -> source.flux(RetryBackoffTest::serverError)
                        .retryWhen(new RetryBackoff(settings).retryUntil(source.emitted::get)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectError(ServerErrorException.class)
                .verify(Duration.ofSeconds(5));
        // waits 300, 600, 1000 (capped from 1200), 1000, 1000
        assertThat(source.subscribedAt).containsExactly(0L, 300L, 900L, 1900L, 2900L, 3900L);
    }

    @Test
    void retryAfterLongerThanTheBackoffIsHonoured() {
        FailingSource source = new FailingSource();
        StepVerifier.withVirtualTime(() -> source.flux(
                                () -> new RateLimitedException(URL, "slow down", Duration.ofMillis(800)))
                        .retryWhen(new RetryBackoff(SETTINGS.withMaxRetries(1)).retryUntil(source.emitted::get)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(799))
                .thenAwait(Duration.ofMillis(1))
                .expectError(RateLimitedException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(source.subscribedAt).containsExactly(0L, 800L);
    }

    @Test
    void retryAfterBeyondTheMaximumBackoffFailsAtOnce() {
        FailingSource source = new FailingSource();
        StepVerifier.withVirtualTime(() -> source.flux(
                                () -> new RateLimitedException(URL, "come back tomorrow", Duration.ofHours(1)))
                        .retryWhen(new RetryBackoff(SETTINGS).retryUntil(source.emitted::get)))
                .expectSubscription()
                .expectError(RateLimitedException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(source.subscribedAt).containsExactly(0L);
    }

    @Test
    void neverRetriesOnceTextHasBeenEmitted() {
        FailingSource source = new FailingSource();
        StepVerifier.withVirtualTime(() -> source.flux(RetryBackoffTest::serverError, "partial")
                        .retryWhen(new RetryBackoff(SETTINGS).retryUntil(source.emitted::get)))
                .expectNext("partial")
                .expectError(ServerErrorException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(source.subscribedAt).hasSize(1);
    }

    @Test
    void neverRetriesWhatCannotSucceed() {
        for (Supplier<Throwable> failure : List.<Supplier<Throwable>>of(
                () -> new BadRequestException(URL, 400, "prompt too long"),
                () -> new AuthenticationException(URL, 401, "bad key"),
                () -> new ModelTimeoutException(URL, ModelTimeoutException.Phase.IDLE, Duration.ofSeconds(1), null),
                () -> new MalformedResponseException(URL, "not SSE", null),
                () -> new IllegalArgumentException("a bug, not the server"))) {
            FailingSource source = new FailingSource();
            StepVerifier.withVirtualTime(() -> source.flux(failure)
                            .retryWhen(new RetryBackoff(SETTINGS).retryUntil(source.emitted::get)))
                    .expectSubscription()
                    .expectError(failure.get().getClass())
                    .verify(Duration.ofSeconds(5));
            assertThat(source.subscribedAt).as("%s", failure.get()).hasSize(1);
        }
    }

    @Test
    void jitterSpreadsTheWaitWithinItsBounds() {
        RetrySettings settings = new RetrySettings(3, Duration.ofMillis(1000), Duration.ofSeconds(10), 0.2);
        assertThat(new RetryBackoff(settings, () -> 0.0).delayBefore(1, serverError())).contains(Duration.ofMillis(800));
        assertThat(new RetryBackoff(settings, () -> 0.5).delayBefore(1, serverError())).contains(Duration.ofMillis(1000));
        assertThat(new RetryBackoff(settings, () -> 0.999).delayBefore(2, serverError()).orElseThrow())
                .isBetween(Duration.ofMillis(2390), Duration.ofMillis(2400));
        assertThat(new RetryBackoff(settings, () -> 0.5).delayBefore(4, serverError())).isEmpty();
    }

    @Test
    void noRetriesMeansTheFirstFailureIsFinal() {
        assertThat(new RetryBackoff(RetrySettings.none()).delayBefore(1, serverError())).isEmpty();
    }
}
