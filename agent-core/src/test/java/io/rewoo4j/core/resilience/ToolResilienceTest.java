package io.rewoo4j.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class ToolResilienceTest {

    private static final ToolRequest REQUEST = ToolRequest.of("x");

    @Test
    void retriesWithExponentialBackoffUnderVirtualTime() {
        List<Long> attemptTimes = new CopyOnWriteArrayList<>();
        Tool flaky = Tool.of("Flaky", "fails three times", r -> {
            attemptTimes.add(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
            return attemptTimes.size() <= 3 ? Mono.error(new ToolException("busy", true))
                    : Mono.just(Evidence.of("ok"));
        });
        ToolResilience resilience = new ToolResilience(ToolPolicies.of(ToolPolicy.unguarded(1)
                .withRetry(new RetryPolicy(4, Duration.ofMillis(100), 3, Duration.ofMillis(500)))));

        StepVerifier.withVirtualTime(() -> resilience.call(flaky, REQUEST))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(Evidence.of("ok"))
                .verifyComplete();
        // waits of 100 ms, 300 ms, then 900 ms capped at 500 ms
        assertThat(attemptTimes).containsExactly(0L, 100L, 400L, 900L);
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheLastError() {
        AtomicInteger calls = new AtomicInteger();
        Tool failing = Tool.of("F", "fails", r -> Mono.error(new ToolException("fail " + calls.incrementAndGet(), true)));
        ToolResilience resilience = new ToolResilience(ToolPolicies.of(ToolPolicy.unguarded(1)
                .withRetry(new RetryPolicy(3, Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))));

        StepVerifier.withVirtualTime(() -> resilience.call(failing, REQUEST))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorMessage("fail 3")
                .verify();
    }

    @Test
    void timesOutEachAttemptAndCancelsTheCall() {
        AtomicInteger cancelled = new AtomicInteger();
        Tool hang = Tool.of("Hang", "never", r -> Mono.<Evidence>never().doOnCancel(cancelled::incrementAndGet));
        ToolResilience resilience = new ToolResilience(ToolPolicies.of(ToolPolicy.unguarded(1)
                .withTimeout(Duration.ofSeconds(2))));

        StepVerifier.withVirtualTime(() -> resilience.call(hang, REQUEST))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectError(TimeoutException.class)
                .verify();
        assertThat(cancelled).hasValue(1);
    }

    @Test
    void theCircuitBreakerOpensAfterTheFailureRateIsReachedAndStopsCalls() {
        AtomicInteger calls = new AtomicInteger();
        Tool broken = Tool.of("Broken", "fails", r -> {
            calls.incrementAndGet();
            return Mono.error(new IllegalStateException("down"));
        });
        ToolResilience resilience = new ToolResilience(ToolPolicies.of(ToolPolicy.unguarded(1)
                .withCircuitBreaker(new CircuitBreakerPolicy(true, 50, 4, 4, Duration.ofMinutes(1), 1))));
        assertThat(resilience.circuitBreakerStates()).isEmpty(); // nothing is created by reading

        for (int i = 0; i < 4; i++) {
            StepVerifier.create(resilience.call(broken, REQUEST)).expectErrorMessage("down").verify();
        }
        assertThat(resilience.circuitBreaker("Broken").orElseThrow().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(resilience.circuitBreakerStates()).containsExactly(java.util.Map.entry("Broken", CircuitBreaker.State.OPEN));
        StepVerifier.create(resilience.call(broken, REQUEST)).expectError(CallNotPermittedException.class).verify();
        assertThat(calls).hasValue(4);
    }

    @Test
    void badInputIsNeitherRetriedNorCountedByTheBreaker() {
        AtomicInteger calls = new AtomicInteger();
        Tool strict = Tool.of("Strict", "rejects", r -> {
            calls.incrementAndGet();
            return Mono.error(ToolException.badInput("not a URL"));
        });
        ToolResilience resilience = new ToolResilience(ToolPolicies.of(ToolPolicy.defaults()
                .withCircuitBreaker(new CircuitBreakerPolicy(true, 50, 2, 2, Duration.ofMinutes(1), 1))));
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(resilience.call(strict, REQUEST)).expectErrorMessage("not a URL").verify();
        }
        assertThat(calls).hasValue(3);
        assertThat(resilience.circuitBreaker("Strict").orElseThrow().getState())
                .isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void theBulkheadRejectsACallOverItsLimitWithoutWaiting() {
        Tool hang = Tool.of("Hang", "never", r -> Mono.never());
        ToolResilience resilience = new ToolResilience(ToolPolicies.of(ToolPolicy.unguarded(1).withBulkhead(1)));
        Disposable first = resilience.call(hang, REQUEST).subscribe();
        StepVerifier.create(resilience.call(hang, REQUEST)).expectError(BulkheadFullException.class).verify();
        first.dispose();
        // cancelling the first call returned its permit
        StepVerifier.create(resilience.call(hang, REQUEST)).expectSubscription().thenCancel().verify();
    }

    @Test
    void policiesAreLookedUpIgnoringCase() {
        ToolPolicy special = ToolPolicy.unguarded(3);
        ToolPolicies policies = ToolPolicies.defaults().with("DuckDuckGo", special);
        assertThat(policies.policyFor("duckduckgo")).isSameAs(special);
        assertThat(policies.policyFor("Other")).isEqualTo(ToolPolicy.defaults());
    }

    @Test
    void aBulkheadBelowTheConcurrencyLimitIsRejected() {
        assertThatThrownBy(() -> ToolPolicy.unguarded(8).withBulkhead(4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrency");
    }
}
