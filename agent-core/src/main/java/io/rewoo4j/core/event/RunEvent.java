package io.rewoo4j.core.event;

import java.time.Duration;
import java.time.Instant;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.run.AnswerSource;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanStep;

/**
 * What happens during a run, in the order it happens. Every event names its run and when it happened.
 *
 * <p>Per step the order is {@link StepPlanned}, then either {@link StepSkipped}, or {@link StepStarted} followed by
 * {@link StepSucceeded} or {@link StepFailed} (a step whose tool is unknown fails without starting). A dependant's
 * {@link StepStarted} always comes after its dependencies' {@link StepSucceeded}; beyond that, events of different
 * steps interleave as their signals arrive. An execution ends with one {@link ExecutionFinished}; an agent run then adds
 * {@link AnswerProduced} (when there is an answer) and ends with one {@link RunFinished}.
 */
public sealed interface RunEvent {

    /** The run this event belongs to. */
    String runId();

    /** When it happened. */
    Instant at();

    /** The agent accepted a question. */
    record RunStarted(String runId, Instant at, String question) implements RunEvent {
    }

    /** A plan step was parsed (while the model may still be writing the rest of the plan). */
    record StepPlanned(String runId, Instant at, PlanStep step) implements RunEvent {
    }

    /** The plan is complete and valid. */
    record PlanCompleted(String runId, Instant at, PlanGraph plan) implements RunEvent {
    }

    /** A step's tool call started, with its substituted input. */
    record StepStarted(String runId, Instant at, String stepId, String tool, String input) implements RunEvent {
    }

    /** A step's tool produced evidence. */
    record StepSucceeded(String runId, Instant at, String stepId, Evidence evidence, Duration duration, int attempts)
            implements RunEvent {
    }

    /** A started step ended without evidence. */
    record StepFailed(String runId, Instant at, String stepId, StepError error, Duration duration, int attempts)
            implements RunEvent {
    }

    /** A step will never start; the reason names the step that caused it. */
    record StepSkipped(String runId, Instant at, String stepId, StepError reason) implements RunEvent {
    }

    /** Every step reached a final status (or the run was aborted); the result holds all evidence gathered. */
    record ExecutionFinished(String runId, Instant at, ExecutionResult result) implements RunEvent {
    }

    /** The answer was produced. */
    record AnswerProduced(String runId, Instant at, String answer, AnswerSource source) implements RunEvent {
    }

    /** The run ended; always the last event of an agent run. */
    record RunFinished(String runId, Instant at, RunResult result) implements RunEvent {
    }
}
