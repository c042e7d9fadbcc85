package io.rewoo4j.core.execute;

import static io.rewoo4j.core.testing.Plans.graph;
import static io.rewoo4j.core.testing.Plans.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.testing.ControlledTool;
import io.rewoo4j.core.testing.EventRecorder;
import io.rewoo4j.core.testing.TimedTool;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanStep;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class PlanExecutorSchedulingTest {

    private static PlanExecutor unguarded(Tool... tools) {
        return PlanExecutor.builder(ToolRegistry.of(tools)).policies(ToolPolicies.of(ToolPolicy.unguarded(64)))
                .build();
    }

    @Test
    void dependentStepStartsOnlyAfterItsDependencySucceededAndSeesItsOutput() {
        ControlledTool search = new ControlledTool("Search");
        PlanGraph plan = graph(
                step("evidence0", "Search", "Nobel 2020"),
                step("evidence1", "Search", "works of :evidence0:"),
                step("evidence2", "Search", "summary of :evidence1: by :evidence0:"));
        EventRecorder run = EventRecorder.record(unguarded(search).execute(plan));

        assertThat(search.calls()).hasSize(1);
        search.call(0).succeed("Louise Glück");
        assertThat(search.calls()).hasSize(2);
        assertThat(search.call(1).input()).isEqualTo("works of Louise Glück");
        search.call(1).succeed("Averno");
        assertThat(search.call(2).input()).isEqualTo("summary of Averno by Louise Glück");
        search.call(2).succeed("done");

        assertThat(run.indexOf(RunEvent.StepStarted.class, "evidence1"))
                .isGreaterThan(run.indexOf(RunEvent.StepSucceeded.class, "evidence0"));
        assertThat(run.indexOf(RunEvent.StepStarted.class, "evidence2"))
                .isGreaterThan(run.indexOf(RunEvent.StepSucceeded.class, "evidence1"));
        assertThat(run.completed()).isTrue();
        assertThat(run.result().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.result().steps()).extracting(s -> s.output()).containsExactly("Louise Glück", "Averno", "done");
        assertThat(run.result().step("evidence2").orElseThrow().input()).isEqualTo("summary of Averno by Louise Glück");
    }

    @Test
    void independentStepsAreInFlightAtTheSameTime() {
        ControlledTool search = new ControlledTool("Search");
        PlanGraph plan = graph(":evidence2:",
                step("evidence0", "Search", "a"),
                step("evidence1", "Search", "b"),
                step("evidence2", "Search", ":evidence0: + :evidence1:"));
        EventRecorder run = EventRecorder.record(unguarded(search).execute(plan));

        // both calls were made and neither has completed: they overlap
        assertThat(search.calls()).extracting(c -> c.request.stepId()).containsExactly("evidence0", "evidence1");
        assertThat(search.inFlight()).isEqualTo(2);

        search.call(1).succeed("B");
        assertThat(search.calls()).hasSize(2); // evidence2 still waits for evidence0
        search.call(0).succeed("A");
        assertThat(search.call(2).input()).isEqualTo("A + B");
        search.call(2).succeed("AB");
        assertThat(run.result().status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void toolReceivesDependencyEvidenceWithSources() {
        ControlledTool search = new ControlledTool("Search");
        ControlledTool knowledge = new ControlledTool("KnowledgeModel");
        PlanGraph plan = graph(
                step("evidence0", "Search", "q"),
                step("evidence1", "KnowledgeModel", "Who, given :evidence0:?"));
        EventRecorder run = EventRecorder.record(unguarded(search, knowledge).execute(plan));

        Source source = Source.of("https://example.org/a");
        search.call(0).succeed(Evidence.of("page text", List.of(source)));
        assertThat(knowledge.call(0).request.evidence()).containsOnlyKeys("evidence0");
        assertThat(knowledge.call(0).request.dependencySources()).containsExactly(source);
        knowledge.call(0).succeed("answer");
        assertThat(run.result().step("evidence0").orElseThrow().sources()).containsExactly(source);
    }

    @Test
    void globalConcurrencyLimitIsHonouredAndWallTimeFollowsIt() {
        TimedTool tool = new TimedTool("Slow", Duration.ofSeconds(1));
        List<PlanStep> steps = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            steps.add(step("e" + i, "Slow", "x" + i));
        }
        PlanGraph plan = new PlanGraph(steps, ":e9:", List.of("e9"));

        StepVerifier.withVirtualTime(() -> PlanExecutor.builder(ToolRegistry.of(tool))
                        .policies(ToolPolicies.of(ToolPolicy.unguarded(64))).maxConcurrency(3).build().run(plan))
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(result -> {
                    assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
                    // 10 one-second calls, 3 at a time: 4 waves
                    assertThat(result.duration()).isEqualTo(Duration.ofSeconds(4));
                })
                .verifyComplete();
        assertThat(tool.maxInFlight()).isEqualTo(3);
        assertThat(tool.calls()).isEqualTo(10);
    }

    @Test
    void perToolConcurrencyLimitIsHonouredWithoutHoldingUpOtherTools() {
        TimedTool narrow = new TimedTool("Narrow", Duration.ofSeconds(1));
        TimedTool wide = new TimedTool("Wide", Duration.ofSeconds(1));
        List<PlanStep> steps = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            steps.add(step("n" + i, "Narrow", "x"));
        }
        for (int i = 0; i < 6; i++) {
            steps.add(step("w" + i, "Wide", "x"));
        }
        PlanGraph plan = new PlanGraph(steps, ":w5:", List.of("w5"));
        ToolPolicies policies = ToolPolicies.of(ToolPolicy.unguarded(5)).with("narrow", ToolPolicy.unguarded(2));

        StepVerifier.withVirtualTime(() -> PlanExecutor.builder(ToolRegistry.of(narrow, wide)).policies(policies)
                        .maxConcurrency(10).build().run(plan))
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(result -> assertThat(result.duration()).isEqualTo(Duration.ofSeconds(3)))
                .verifyComplete();
        assertThat(narrow.maxInFlight()).isEqualTo(2);
        assertThat(wide.maxInFlight()).isEqualTo(5);
        // the wide tool's first wave was not queued behind the narrow tool's waiting steps
        assertThat(wide.startMillis("w0")).isZero();
        assertThat(wide.startMillis("w4")).isZero();
    }

    @Test
    void globalLimitIsSharedByAllRunsOfOneExecutor() {
        ControlledTool tool = new ControlledTool("T");
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(tool))
                .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).maxConcurrency(1).build();
        PlanGraph plan = graph(step("e0", "T", "x"));

        EventRecorder first = EventRecorder.record(executor.execute(plan));
        EventRecorder second = EventRecorder.record(executor.execute(plan));
        assertThat(tool.calls()).hasSize(1);
        assertThat(second.events(RunEvent.StepStarted.class)).isEmpty();

        tool.call(0).succeed("one");
        assertThat(first.result().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(tool.calls()).hasSize(2);
        tool.call(1).succeed("two");
        assertThat(second.result().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(tool.maxInFlight()).isEqualTo(1);
        assertThat(executor.callsInFlight()).isZero();
    }

    @Test
    void manyRunsPassingPermitsSynchronouslyDoNotRecurse() {
        Tool instant = Tool.of("I", "instant", r -> Mono.just(Evidence.of("ok")));
        ControlledTool gate = new ControlledTool("Gate");
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(instant, gate))
                .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).maxConcurrency(1).build();
        EventRecorder blocker = EventRecorder.record(executor.execute(graph(step("g", "Gate", "x"))));
        List<EventRecorder> runs = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            runs.add(EventRecorder.record(executor.execute(graph(step("a", "I", "x"), step("b", "I", ":a:")))));
        }
        // every run waits behind the gate; releasing it cascades through 10,000 synchronous calls on this thread
        gate.call(0).succeed("open");

        assertThat(blocker.result().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(runs).allSatisfy(r -> assertThat(r.result().status()).isEqualTo(RunStatus.SUCCEEDED));
        assertThat(executor.callsInFlight()).isZero();
    }

    @Test
    void eventsCarryRunIdTimestampsAndDurations() {
        TimedTool tool = new TimedTool("Slow", Duration.ofMillis(1500));
        PlanGraph plan = graph(step("e0", "Slow", "x"), step("e1", "Slow", ":e0:"));

        StepVerifier.withVirtualTime(() -> PlanExecutor.builder(ToolRegistry.of(tool))
                        .policies(ToolPolicies.of(ToolPolicy.unguarded(4))).build().execute("run-7", plan)
                        .ofType(RunEvent.StepSucceeded.class))
                .thenAwait(Duration.ofSeconds(5))
                .assertNext(e -> {
                    assertThat(e.runId()).isEqualTo("run-7");
                    assertThat(e.stepId()).isEqualTo("e0");
                    assertThat(e.duration()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(e.attempts()).isEqualTo(1);
                })
                .assertNext(e -> {
                    assertThat(e.stepId()).isEqualTo("e1");
                    assertThat(e.evidence().text()).isEqualTo("Slow(Slow(x))");
                    assertThat(e.at().toEpochMilli()).isEqualTo(3000);
                })
                .verifyComplete();
    }

    @Test
    void signalsAreHandledInArrivalOrderEvenWhenAToolAnswersSynchronously() {
        Tool echo = Tool.of("Echo", "echo", r -> Mono.just(Evidence.of(r.input())));
        PlanGraph plan = graph(step("e0", "Echo", "a"), step("e1", "Echo", ":e0:b"));

        // the whole plan was queued before e0's synchronous answer, so it is handled first; no handler re-enters
        StepVerifier.create(unguarded(echo).execute(plan).map(e -> e.getClass().getSimpleName()))
                .expectNext("StepPlanned", "StepStarted", "StepPlanned", "PlanCompleted")
                .expectNext("StepSucceeded", "StepStarted", "StepSucceeded")
                .expectNext("ExecutionFinished")
                .verifyComplete();
    }

    @Test
    void anEmptyPlanFinishesAtOnce() {
        StepVerifier.create(unguarded().run(new PlanGraph(List.of(), "", List.of())))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
                    assertThat(r.steps()).isEmpty();
                })
                .verifyComplete();
    }

    @Test
    void eachSubscriptionIsASeparateRun() {
        ControlledTool tool = new ControlledTool("T");
        Flux<RunEvent> once = unguarded(tool).execute(graph(step("e0", "T", "x")));
        EventRecorder a = EventRecorder.record(once);
        EventRecorder b = EventRecorder.record(once);
        tool.call(0).succeed("a");
        tool.call(1).succeed("b");
        assertThat(a.result().runId()).isNotEqualTo(b.result().runId());
        assertThat(a.result().steps().get(0).status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(b.result().steps().get(0).output()).isEqualTo("b");
    }
}
