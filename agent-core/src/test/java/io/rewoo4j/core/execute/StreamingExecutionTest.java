package io.rewoo4j.core.execute;

import static io.rewoo4j.core.testing.Plans.graph;
import static io.rewoo4j.core.testing.Plans.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.testing.ControlledTool;
import io.rewoo4j.core.testing.EventRecorder;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanError;
import io.rewoo4j.planner.PlanEvent;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParseException;
import io.rewoo4j.planner.PlanStep;
import org.junit.jupiter.api.Test;
import reactor.test.publisher.TestPublisher;

/** Execution fed by a plan that is still being written. */
class StreamingExecutionTest {

    private final ControlledTool search = new ControlledTool("Search");
    private final PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(search))
            .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build();
    private final TestPublisher<PlanEvent> plan = TestPublisher.create();

    @Test
    void theFirstToolIsCalledWhileThePlanIsStillStreaming() {
        PlanStep e0 = step("evidence0", "Search", "first");
        PlanStep e1 = step("evidence1", "Search", "second :evidence0:");
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));

        plan.next(new PlanEvent.StepParsed(e0));
        assertThat(search.calls()).hasSize(1);
        assertThat(search.call(0).input()).isEqualTo("first");
        plan.assertWasNotCancelled();
        assertThat(run.events(RunEvent.StepPlanned.class)).hasSize(1);

        search.call(0).succeed("one");
        // the dependant launches the moment its line arrives, since its dependency is already done
        plan.next(new PlanEvent.StepParsed(e1));
        assertThat(search.calls()).hasSize(2);
        assertThat(search.call(1).input()).isEqualTo("second one");
        search.call(1).succeed("two");
        assertThat(run.completed()).isFalse(); // the plan is not complete yet

        plan.next(new PlanEvent.Completed(graph(e0, e1)));
        plan.complete();
        assertThat(run.result().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.result().plan()).isEqualTo(graph(e0, e1));
        assertThat(run.completed()).isTrue();
    }

    @Test
    void aStepParsedAfterItsDependencyFailedIsSkippedAtOnce() {
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));
        PlanStep e0 = step("e0", "Search", "x");
        PlanStep e1 = step("e1", "Search", ":e0:");
        PlanStep e2 = step("e2", "Search", ":e1:");
        plan.next(new PlanEvent.StepParsed(e0));
        search.call(0).fail(new IllegalStateException("down"));
        plan.next(new PlanEvent.StepParsed(e1), new PlanEvent.StepParsed(e2));

        assertThat(search.calls()).hasSize(1);
        assertThat(run.events(RunEvent.StepSkipped.class)).extracting(s -> s.reason().blockedBy())
                .containsExactly("e0", "e0");
        plan.next(new PlanEvent.Completed(graph(e0, e1, e2)));
        assertThat(run.result().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void aParseErrorMidStreamFailsTheRunWithItsLineAndKeepsFinishedEvidence() {
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));
        PlanStep e0 = step("e0", "Search", "x");
        PlanStep e1 = step("e1", "Search", "y");
        PlanStep e2 = step("e2", "Search", ":e1:");
        plan.next(new PlanEvent.StepParsed(e0));
        search.call(0).succeed("finished before the error");
        plan.next(new PlanEvent.StepParsed(e1), new PlanEvent.StepParsed(e2));

        plan.error(new PlanParseException(new PlanError.UndefinedReference(4, ":e3: = Search[:e9:]", ":e9:")));

        ExecutionResult result = run.result();
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.error().code()).isEqualTo("undefined_reference");
        assertThat(result.error().line()).isEqualTo(4);
        assertThat(result.error().message()).contains("line 4", ":e9:");
        assertThat(result.plan()).isNull();
        assertThat(result.step("e0").orElseThrow().output()).isEqualTo("finished before the error");
        // in-flight calls are cancelled and marked failed; steps not started are skipped
        assertThat(search.callFor("e1").cancelled()).isTrue();
        assertThat(result.step("e1").orElseThrow().status()).isEqualTo(StepStatus.FAILED);
        assertThat(result.step("e1").orElseThrow().error().kind()).isEqualTo(StepError.Kind.RUN_ABORTED);
        assertThat(result.step("e1").orElseThrow().error().message()).contains("line 4");
        assertThat(result.step("e2").orElseThrow().status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(result.step("e2").orElseThrow().error().kind()).isEqualTo(StepError.Kind.RUN_ABORTED);
        assertThat(run.completed()).isTrue();
        assertThat(executor.callsInFlight()).isZero();
    }

    @Test
    void aModelErrorMidStreamFailsTheRunAsAPlanStreamFailure() {
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));
        plan.next(new PlanEvent.StepParsed(step("e0", "Search", "x")));
        search.call(0).succeed("kept");
        plan.error(new IllegalStateException("model server went away"));

        assertThat(run.result().error().code()).isEqualTo(RunError.PLAN_STREAM_FAILED);
        assertThat(run.result().error().message()).contains("model server went away");
        assertThat(run.result().error().line()).isNull();
        assertThat(run.result().steps().get(0).output()).isEqualTo("kept");
    }

    @Test
    void aPlanStreamThatEndsWithoutCompletedFails() {
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));
        plan.next(new PlanEvent.StepParsed(step("e0", "Search", "x")));
        plan.complete();
        assertThat(run.result().status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.result().error().message()).contains("without a Completed event");
        assertThat(search.call(0).cancelled()).isTrue();
    }

    @Test
    void aStepDependingOnAnUndefinedStepFailsTheRun() {
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));
        plan.next(new PlanEvent.StepParsed(step("e1", "Search", ":e0:")));
        assertThat(run.result().error().message()).contains("e1 depends on e0");
        assertThat(search.calls()).isEmpty();
    }

    @Test
    void stepsFirstSeenInTheCompletedGraphAreRunToo() {
        PlanStep e0 = step("e0", "Search", "x");
        PlanStep e1 = step("e1", "Search", ":e0:");
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));
        plan.next(new PlanEvent.StepParsed(e0));
        plan.next(new PlanEvent.Completed(graph(e0, e1)));
        search.call(0).succeed("a");
        search.call(1).succeed("b");
        assertThat(run.result().steps()).extracting(s -> s.output()).containsExactly("a", "b");
        assertThat(run.events(RunEvent.StepPlanned.class)).hasSize(2);
    }

    @Test
    void cancellingTheRunCancelsThePlanStream() {
        EventRecorder run = EventRecorder.record(executor.execute("r", plan));
        plan.next(new PlanEvent.StepParsed(step("e0", "Search", "x")));
        run.dispose();
        plan.assertCancelled();
        assertThat(search.call(0).cancelled()).isTrue();
    }

    @Test
    void aCompletePlanGraphRunsAsIfStreamed() {
        PlanGraph g = graph(step("e0", "Search", "x"));
        EventRecorder run = EventRecorder.record(executor.execute(g));
        search.call(0).succeed("done");
        assertThat(run.result().plan()).isEqualTo(g);
    }
}
