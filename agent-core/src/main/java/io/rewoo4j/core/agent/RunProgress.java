package io.rewoo4j.core.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepResult;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.planner.PlanGraph;

/**
 * A run's state as folded from its events, so that a run abandoned half-way (its subscriber cancelled) can still be
 * stored with the evidence gathered until then.
 */
final class RunProgress {

    private final String runId;
    private final String question;
    private final Instant startedAt;
    private final Map<String, StepResult> steps = new LinkedHashMap<>();
    private PlanGraph plan;
    private boolean finished;

    RunProgress(String runId, String question, Instant startedAt) {
        this.runId = runId;
        this.question = question;
        this.startedAt = startedAt;
    }

    synchronized void accept(RunEvent event) {
        if (event instanceof RunEvent.StepPlanned e) {
            steps.put(e.step().id(), new StepResult(e.step().id(), e.step().variable(), e.step().tool(), null,
                    StepStatus.PENDING, null, List.of(), null, 0, null, null, null));
        } else if (event instanceof RunEvent.PlanCompleted e) {
            plan = e.plan();
        } else if (event instanceof RunEvent.StepStarted e) {
            steps.computeIfPresent(e.stepId(), (id, s) -> new StepResult(id, s.variable(), e.tool(), e.input(),
                    StepStatus.RUNNING, null, List.of(), null, s.attempts(), e.at(), null, null));
        } else if (event instanceof RunEvent.StepSucceeded e) {
            steps.computeIfPresent(e.stepId(), (id, s) -> new StepResult(id, s.variable(), s.tool(), s.input(),
                    StepStatus.SUCCEEDED, e.evidence().text(), e.evidence().sources(), null, e.attempts(),
                    s.startedAt(), e.at(), e.duration()));
        } else if (event instanceof RunEvent.StepFailed e) {
            steps.computeIfPresent(e.stepId(), (id, s) -> new StepResult(id, s.variable(), s.tool(), s.input(),
                    StepStatus.FAILED, null, List.of(), e.error(), e.attempts(), s.startedAt(), e.at(),
                    e.duration()));
        } else if (event instanceof RunEvent.StepSkipped e) {
            steps.computeIfPresent(e.stepId(), (id, s) -> new StepResult(id, s.variable(), s.tool(), null,
                    StepStatus.SKIPPED, null, List.of(), e.reason(), 0, null, e.at(), null));
        } else if (event instanceof RunEvent.ExecutionFinished e) {
            steps.clear();
            e.result().steps().forEach(s -> steps.put(s.id(), s));
            plan = e.result().plan();
        } else if (event instanceof RunEvent.RunFinished) {
            finished = true;
        }
    }

    /** Whether the run's final result has been emitted (and stored). */
    synchronized boolean finished() {
        return finished;
    }

    /** The steps as the events so far describe them, in plan order. */
    synchronized List<StepResult> steps() {
        return List.copyOf(steps.values());
    }

    /** The run as it stands, with the given status; {@code finishedAt} is {@code null} for a running run. */
    synchronized RunResult snapshot(RunStatus status, RunError error, String planText, Instant finishedAt) {
        Duration duration = finishedAt == null ? null : Duration.between(startedAt, finishedAt);
        return new RunResult(runId, question, status, null, null, plan, planText, List.copyOf(steps.values()), error,
                startedAt, finishedAt, duration);
    }
}
