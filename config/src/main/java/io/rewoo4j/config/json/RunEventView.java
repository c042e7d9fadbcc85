package io.rewoo4j.config.json;

import java.time.Instant;
import java.util.List;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.config.json.RunResultView.SourceView;
import io.rewoo4j.config.json.RunResultView.StepErrorView;

/**
 * A run event as Server-Sent Events and {@code --json} streams render it. {@link #type()} names the event (and is
 * the SSE event name): {@code run-started}, {@code step-planned}, {@code plan-completed}, {@code step-started},
 * {@code step-succeeded}, {@code step-failed}, {@code step-skipped}, {@code execution-finished},
 * {@code answer}, {@code run-finished}. {@link #data()} is the event's payload.
 */
public record RunEventView(String type, String runId, Instant at, Object data) {

    /** The payload of {@code run-started}. */
    public record Question(String question) {
    }

    /** The payload of {@code step-started}. */
    public record Started(String stepId, String tool, String input) {
    }

    /** The payload of {@code step-succeeded}. */
    public record Succeeded(String stepId, String output, List<SourceView> sources,
                            long durationMs, int attempts) {
    }

    /** The payload of {@code step-failed} and {@code step-skipped}. */
    public record Failed(String stepId, StepErrorView error, Long durationMs, Integer attempts) {
    }

    /** The payload of {@code answer}. */
    public record Answer(String answer, String source) {
    }

    /** The payload of {@code execution-finished}. */
    public record Execution(String status, int succeeded, int failed, int skipped) {
    }

    public static RunEventView of(RunEvent event) {
        if (event instanceof RunEvent.RunStarted e) {
            return new RunEventView("run-started", e.runId(), e.at(), new Question(e.question()));
        } else if (event instanceof RunEvent.StepPlanned e) {
            return new RunEventView("step-planned", e.runId(), e.at(), PlanGraphView.Step.of(e.step()));
        } else if (event instanceof RunEvent.PlanCompleted e) {
            return new RunEventView("plan-completed", e.runId(), e.at(), PlanGraphView.of(e.plan()));
        } else if (event instanceof RunEvent.StepStarted e) {
            return new RunEventView("step-started", e.runId(), e.at(), new Started(e.stepId(), e.tool(), e.input()));
        } else if (event instanceof RunEvent.StepSucceeded e) {
            return new RunEventView("step-succeeded", e.runId(), e.at(), new Succeeded(e.stepId(), e.evidence().text(),
                    e.evidence().sources().stream().map(SourceView::of).toList(),
                    e.duration().toMillis(), e.attempts()));
        } else if (event instanceof RunEvent.StepFailed e) {
            return new RunEventView("step-failed", e.runId(), e.at(), new Failed(e.stepId(),
                    StepErrorView.of(e.error()), RunResultView.millis(e.duration()), e.attempts()));
        } else if (event instanceof RunEvent.StepSkipped e) {
            return new RunEventView("step-skipped", e.runId(), e.at(),
                    new Failed(e.stepId(), StepErrorView.of(e.reason()), null, null));
        } else if (event instanceof RunEvent.ExecutionFinished e) {
            ExecutionResult r = e.result();
            return new RunEventView("execution-finished", e.runId(), e.at(), new Execution(RunResultView.lower(r.status()),
                    count(r, StepStatus.SUCCEEDED), count(r, StepStatus.FAILED), count(r, StepStatus.SKIPPED)));
        } else if (event instanceof RunEvent.AnswerProduced e) {
            return new RunEventView("answer", e.runId(), e.at(), new Answer(e.answer(), RunResultView.lower(e.source())));
        } else if (event instanceof RunEvent.RunFinished e) {
            return new RunEventView("run-finished", e.runId(), e.at(), RunResultView.of(e.result()));
        }
        throw new IllegalArgumentException("unknown run event " + event.getClass().getName());
    }

    private static int count(ExecutionResult r, StepStatus status) {
        return (int) r.steps().stream().filter(s -> s.status() == status).count();
    }
}
