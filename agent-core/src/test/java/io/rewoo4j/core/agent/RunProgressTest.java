package io.rewoo4j.core.agent;

import static io.rewoo4j.core.testing.Plans.graph;
import static io.rewoo4j.core.testing.Plans.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.testing.ControlledTool;
import io.rewoo4j.core.testing.EventRecorder;
import io.rewoo4j.core.tool.ToolRegistry;
import org.junit.jupiter.api.Test;

class RunProgressTest {

    @Test
    void foldingTheStepEventsGivesTheSameStepsAsTheExecutionResult() {
        ControlledTool t = new ControlledTool("T");
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(t))
                .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build();
        EventRecorder run = EventRecorder.record(executor.execute(graph(
                step("e0", "T", "a"), step("e1", "T", "b"), step("e2", "T", ":e1:"), step("e3", "Missing", "c"),
                step("e4", "T", ":e0: :e2:"))));
        t.callFor("e0").succeed("zero");
        t.callFor("e1").fail(new IllegalStateException("no"));

        RunProgress progress = new RunProgress("r", "q", Instant.EPOCH);
        run.events().stream().filter(e -> !(e instanceof RunEvent.ExecutionFinished)).forEach(progress::accept);

        assertThat(progress.steps()).isEqualTo(run.result().steps());
        assertThat(progress.snapshot(RunStatus.CANCELLED, null, null, Instant.EPOCH).steps())
                .isEqualTo(run.result().steps());
    }
}
