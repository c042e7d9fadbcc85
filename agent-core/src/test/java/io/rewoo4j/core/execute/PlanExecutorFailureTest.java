package io.rewoo4j.core.execute;

import static io.rewoo4j.core.testing.Plans.graph;
import static io.rewoo4j.core.testing.Plans.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.resilience.CircuitBreakerPolicy;
import io.rewoo4j.core.resilience.RetryPolicy;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.run.StepResult;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.testing.ControlledTool;
import io.rewoo4j.core.testing.EventRecorder;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanGraph;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class PlanExecutorFailureTest {

    private static PlanExecutor unguarded(Tool... tools) {
        return PlanExecutor.builder(ToolRegistry.of(tools)).policies(ToolPolicies.of(ToolPolicy.unguarded(64)))
                .build();
    }

    @Test
    void aFailedStepSkipsItsTransitiveDependantsNamingItAndTheRestStillRuns() {
        ControlledTool t = new ControlledTool("T");
        PlanGraph plan = graph(":evidence4:",
                step("evidence0", "T", "a"),
                step("evidence1", "T", "b :evidence0:"),
                step("evidence2", "T", "c :evidence1:"),
                step("evidence3", "T", "independent"),
                step("evidence4", "T", ":evidence2: and :evidence3:"));
        EventRecorder run = EventRecorder.record(unguarded(t).execute(plan));

        t.callFor("evidence0").fail(new ToolException("search engine down", true));
        assertThat(run.completed()).isFalse();
        t.callFor("evidence3").succeed("kept");

        ExecutionResult result = run.result();
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.error().code()).isEqualTo(RunError.STEPS_FAILED);
        assertThat(result.error().message()).contains("evidence0", "search engine down", "3 skipped");
        assertThat(result.step("evidence0").orElseThrow().status()).isEqualTo(StepStatus.FAILED);
        assertThat(result.step("evidence3").orElseThrow().output()).isEqualTo("kept");
        for (String id : new String[] {"evidence1", "evidence2", "evidence4"}) {
            StepResult skipped = result.step(id).orElseThrow();
            assertThat(skipped.status()).isEqualTo(StepStatus.SKIPPED);
            assertThat(skipped.error().kind()).isEqualTo(StepError.Kind.DEPENDENCY_FAILED);
            assertThat(skipped.error().blockedBy()).isEqualTo("evidence0");
            assertThat(skipped.error().message()).contains("evidence0").contains("search engine down");
            assertThat(skipped.input()).isNull();
        }
        assertThat(run.events(RunEvent.StepSkipped.class)).hasSize(3);
        assertThat(t.calls()).hasSize(2);
    }

    @Test
    void anUnknownToolFailsItsStepAtRunTime() {
        ControlledTool t = new ControlledTool("T");
        PlanGraph plan = graph(step("e0", "Nope", "x"), step("e1", "T", ":e0:"), step("e2", "t", "case differs"));
        EventRecorder run = EventRecorder.record(unguarded(t).execute(plan));
        t.callFor("e2").succeed("found ignoring case");

        StepResult e0 = run.result().step("e0").orElseThrow();
        assertThat(e0.status()).isEqualTo(StepStatus.FAILED);
        assertThat(e0.error().kind()).isEqualTo(StepError.Kind.UNKNOWN_TOOL);
        assertThat(e0.error().message()).contains("'Nope'", "known: T");
        assertThat(run.result().step("e1").orElseThrow().error().blockedBy()).isEqualTo("e0");
        assertThat(run.result().step("e2").orElseThrow().tool()).isEqualTo("T");
    }

    @Test
    void aToolThatCompletesEmptyFailsWithNoEvidence() {
        ControlledTool t = new ControlledTool("T");
        EventRecorder run = EventRecorder.record(unguarded(t).execute(graph(step("e0", "T", "x"))));
        t.call(0).completeEmpty();
        assertThat(run.result().steps().get(0).error().kind()).isEqualTo(StepError.Kind.NO_EVIDENCE);
    }

    @Test
    void aToolThatThrowsInsteadOfReturningAMonoFailsItsStep() {
        Tool throwing = new Tool() {
            @Override
            public String name() {
                return "Bad";
            }

            @Override
            public String description() {
                return "throws";
            }

            @Override
            public Mono<Evidence> execute(io.rewoo4j.core.tool.ToolRequest request) {
                throw new IllegalStateException("boom");
            }
        };
        StepVerifier.create(unguarded(throwing).run(graph(step("e0", "Bad", "x"))))
                .assertNext(r -> {
                    assertThat(r.steps().get(0).status()).isEqualTo(StepStatus.FAILED);
                    assertThat(r.steps().get(0).error().message()).contains("IllegalStateException: boom");
                })
                .verifyComplete();
    }

    @Test
    void disposingTheRunCancelsInFlightToolCallsAndFreesTheirPermits() {
        ControlledTool t = new ControlledTool("T");
        PlanExecutor executor = unguarded(t);
        PlanGraph plan = graph(step("e0", "T", "a"), step("e1", "T", "b"), step("e2", "T", ":e0:"));
        EventRecorder run = EventRecorder.record(executor.execute(plan));
        assertThat(executor.callsInFlight()).isEqualTo(2);

        run.dispose();

        assertThat(t.calls()).allSatisfy(c -> assertThat(c.cancelled()).isTrue());
        assertThat(t.inFlight()).isZero();
        assertThat(executor.callsInFlight()).isZero();
        assertThat(run.completed()).isFalse();
        // a late outcome after cancellation starts nothing
        t.call(0).succeed("late");
        assertThat(t.calls()).hasSize(2);
    }

    @Test
    void disposingCancelsCallsRunningOnOtherThreads() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch cancelled = new CountDownLatch(2);
        Tool slow = Tool.of("Slow", "never answers", r -> Mono.<Evidence>never()
                .doOnSubscribe(s -> started.countDown())
                .doOnCancel(cancelled::countDown)
                .subscribeOn(Schedulers.boundedElastic()));
        Disposable run = unguarded(slow).execute(graph(step("e0", "Slow", "a"), step("e1", "Slow", "b")))
                .subscribe();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        run.dispose();
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theRunDeadlineCancelsCallsInFlightSkipsTheRestAndKeepsEvidence() {
        AtomicInteger cancelled = new AtomicInteger();
        Tool fast = Tool.of("Fast", "1 s", r -> Mono.delay(Duration.ofSeconds(1)).thenReturn(Evidence.of("quick")));
        Tool hang = Tool.of("Hang", "never", r -> Mono.<Evidence>never().doOnCancel(cancelled::incrementAndGet));
        PlanGraph plan = graph(step("e0", "Fast", "a"), step("e1", "Hang", "b"), step("e2", "Fast", ":e1:"));

        StepVerifier.withVirtualTime(() -> PlanExecutor.builder(ToolRegistry.of(fast, hang))
                        .policies(ToolPolicies.of(ToolPolicy.unguarded(4))).runTimeout(Duration.ofSeconds(5)).build()
                        .run(plan))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(4999))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(RunStatus.TIMED_OUT);
                    assertThat(r.error().code()).isEqualTo(RunError.DEADLINE_EXCEEDED);
                    assertThat(r.duration()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(r.plan()).isNotNull();
                    assertThat(r.step("e0").orElseThrow().output()).isEqualTo("quick");
                    StepResult e1 = r.step("e1").orElseThrow();
                    assertThat(e1.status()).isEqualTo(StepStatus.FAILED);
                    assertThat(e1.error().kind()).isEqualTo(StepError.Kind.DEADLINE_EXCEEDED);
                    StepResult e2 = r.step("e2").orElseThrow();
                    assertThat(e2.status()).isEqualTo(StepStatus.SKIPPED);
                    assertThat(e2.error().kind()).isEqualTo(StepError.Kind.DEADLINE_EXCEEDED);
                })
                .verifyComplete();
        assertThat(cancelled).hasValue(1);
    }

    @Test
    void retriesWithBackoffThenSucceedsAndCountsAttempts() {
        AtomicInteger calls = new AtomicInteger();
        Tool flaky = Tool.of("Flaky", "fails twice", r -> calls.incrementAndGet() <= 2
                ? Mono.error(new ToolException("503", true)) : Mono.just(Evidence.of("third time")));
        ToolPolicy policy = ToolPolicy.unguarded(4)
                .withRetry(new RetryPolicy(3, Duration.ofSeconds(1), 2, Duration.ofSeconds(10)));

        StepVerifier.withVirtualTime(() -> PlanExecutor.builder(ToolRegistry.of(flaky))
                        .policies(ToolPolicies.of(policy)).build().run(graph(step("e0", "Flaky", "x"))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(2999)) // waits 1 s, then 2 s
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> {
                    StepResult e0 = r.steps().get(0);
                    assertThat(e0.status()).isEqualTo(StepStatus.SUCCEEDED);
                    assertThat(e0.attempts()).isEqualTo(3);
                    assertThat(e0.duration()).isEqualTo(Duration.ofSeconds(3));
                })
                .verifyComplete();
    }

    @Test
    void aTimeoutPerAttemptIsRetriedThenReportedAsTimeout() {
        AtomicInteger cancelled = new AtomicInteger();
        Tool hang = Tool.of("Hang", "never", r -> Mono.<Evidence>never().doOnCancel(cancelled::incrementAndGet));
        ToolPolicy policy = ToolPolicy.unguarded(4).withTimeout(Duration.ofSeconds(5))
                .withRetry(new RetryPolicy(2, Duration.ofSeconds(1), 1, Duration.ofSeconds(1)));

        StepVerifier.withVirtualTime(() -> PlanExecutor.builder(ToolRegistry.of(hang))
                        .policies(ToolPolicies.of(policy)).build().run(graph(step("e0", "Hang", "x"))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10_999)) // 5 s, 1 s backoff, 5 s
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> {
                    StepResult e0 = r.steps().get(0);
                    assertThat(e0.error().kind()).isEqualTo(StepError.Kind.TIMEOUT);
                    assertThat(e0.error().message()).contains("PT5S", "2 attempts");
                    assertThat(e0.attempts()).isEqualTo(2);
                })
                .verifyComplete();
        assertThat(cancelled).hasValue(2);
    }

    @Test
    void anOpenCircuitBreakerFailsStepsWithoutCallingTheTool() {
        AtomicInteger calls = new AtomicInteger();
        Tool broken = Tool.of("Broken", "always fails", r -> {
            calls.incrementAndGet();
            return Mono.error(new ToolException("down", true));
        });
        ToolPolicy policy = ToolPolicy.unguarded(1).withCircuitBreaker(
                new CircuitBreakerPolicy(true, 50, 4, 4, Duration.ofMinutes(1), 1));
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(broken)).policies(ToolPolicies.of(policy))
                .build();
        PlanGraph plan = graph(step("e0", "Broken", "1"), step("e1", "Broken", "2"), step("e2", "Broken", "3"),
                step("e3", "Broken", "4"), step("e4", "Broken", "5"), step("e5", "Broken", "6"));

        StepVerifier.create(executor.run(plan))
                .assertNext(r -> {
                    assertThat(r.steps()).extracting(s -> s.error().kind()).containsExactly(
                            StepError.Kind.TOOL_ERROR, StepError.Kind.TOOL_ERROR, StepError.Kind.TOOL_ERROR,
                            StepError.Kind.TOOL_ERROR, StepError.Kind.CIRCUIT_OPEN, StepError.Kind.CIRCUIT_OPEN);
                    assertThat(r.steps().get(4).error().message()).contains("Broken");
                })
                .verifyComplete();
        assertThat(calls).hasValue(4);
        assertThat(executor.resilience().circuitBreaker("Broken").orElseThrow().getState())
                .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
    }

    @Test
    void aBadInputIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        Tool strict = Tool.of("Strict", "rejects", r -> {
            calls.incrementAndGet();
            return Mono.error(ToolException.badInput("not a URL"));
        });
        StepVerifier.create(PlanExecutor.builder(ToolRegistry.of(strict)).build().run(graph(step("e0", "Strict", "x"))))
                .assertNext(r -> assertThat(r.steps().get(0).error().message()).contains("not a URL"))
                .verifyComplete();
        assertThat(calls).hasValue(1);
    }
}
