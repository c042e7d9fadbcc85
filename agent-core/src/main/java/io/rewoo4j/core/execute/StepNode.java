package io.rewoo4j.core.execute;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.run.StepResult;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.planner.PlanStep;

/**
 * One step's state within a run. All fields except {@link #attempts} are read and written only by the run's drain
 * loop; the node is also the run's permit request to the {@link ConcurrencyLimiter}.
 */
final class StepNode extends ConcurrencyLimiter.Waiter {

    enum State {
        WAITING_FOR_DEPENDENCIES, QUEUED, RUNNING, SUCCEEDED, FAILED, SKIPPED
    }

    final PlanRun run;
    final PlanStep step;
    State state = State.WAITING_FOR_DEPENDENCIES;
    int pendingDependencies;
    List<StepNode> dependants;
    Tool tool;
    boolean permitHeld;
    ToolCall call;
    String input;
    Evidence evidence;
    StepError error;
    Instant startedAt;
    Instant finishedAt;
    // Incremented on the tool's subscribing thread; attempts are sequential and the value is read only after the
    // call's terminal signal has passed through the run's queue (a happens-before edge).
    int attempts;

    StepNode(PlanRun run, PlanStep step) {
        this.run = run;
        this.step = step;
    }

    void addDependant(StepNode dependant) {
        if (dependants == null) {
            dependants = new ArrayList<>(2);
        }
        dependants.add(dependant);
    }

    void countAttempt() {
        attempts++;
    }

    boolean isFinal() {
        return state == State.SUCCEEDED || state == State.FAILED || state == State.SKIPPED;
    }

    @Override
    protected void onGranted() {
        run.signal(new RunSignal.PermitGranted(this));
    }

    StepStatus status() {
        return switch (state) {
            case WAITING_FOR_DEPENDENCIES, QUEUED -> StepStatus.PENDING;
            case RUNNING -> StepStatus.RUNNING;
            case SUCCEEDED -> StepStatus.SUCCEEDED;
            case FAILED -> StepStatus.FAILED;
            case SKIPPED -> StepStatus.SKIPPED;
        };
    }

    Duration duration() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
    }

    StepResult toResult() {
        return new StepResult(step.id(), step.variable(), tool == null ? step.tool() : tool.name(), input, status(),
                evidence == null ? null : evidence.text(), evidence == null ? List.of() : evidence.sources(), error,
                attempts, startedAt, finishedAt, duration());
    }
}
