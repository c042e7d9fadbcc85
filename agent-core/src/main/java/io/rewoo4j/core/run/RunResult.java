package io.rewoo4j.core.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.rewoo4j.planner.PlanGraph;

/**
 * A run as the REST API and the run store show it: the question, the plan, every step's evidence, and the answer.
 *
 * @param runId        the run's id
 * @param question     the question asked; {@code null} when a given plan was executed without one
 * @param status       how the run ended, or {@link RunStatus#RUNNING}
 * @param answer       the answer; {@code null} when none could be produced
 * @param answerSource how the answer was produced; {@code null} without an answer
 * @param plan         the parsed plan; {@code null} if planning failed or has not finished
 * @param planText     the plan as the model wrote it; {@code null} when a given plan was executed
 * @param steps        every step parsed, in plan order
 * @param error        why the run did not succeed; {@code null} when it did
 * @param startedAt    when the run started
 * @param finishedAt   when it ended; {@code null} while running
 * @param duration     from start to end; {@code null} while running
 */
public record RunResult(String runId, String question, RunStatus status, String answer, AnswerSource answerSource,
                        PlanGraph plan, String planText, List<StepResult> steps, RunError error, Instant startedAt,
                        Instant finishedAt, Duration duration) {

    public RunResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        steps = List.copyOf(steps);
    }

    /** The step with this id. */
    public Optional<StepResult> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
