package io.rewoo4j.core.run;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.rewoo4j.planner.PlanGraph;

/**
 * What executing a plan produced, before any answer is derived: every step that was parsed, in plan order, with its
 * evidence or error.
 *
 * @param runId      the run
 * @param status     {@link RunStatus#SUCCEEDED} when every step succeeded; otherwise why not
 * @param plan       the complete plan; {@code null} when the plan stream failed or the deadline passed before it ended
 * @param steps      every step parsed, in plan order
 * @param error      why the execution did not succeed; {@code null} when it did
 * @param startedAt  when execution started (subscription)
 * @param finishedAt when the last step reached its final status
 * @param duration   from start to finish
 */
public record ExecutionResult(String runId, RunStatus status, PlanGraph plan, List<StepResult> steps, RunError error,
                              Instant startedAt, Instant finishedAt, Duration duration) {

    public ExecutionResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        steps = List.copyOf(steps);
    }

    /** The step with this id. */
    public Optional<StepResult> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The output text of every succeeded step, by id, in plan order. */
    public Map<String, String> outputsById() {
        Map<String, String> out = new LinkedHashMap<>();
        for (StepResult s : steps) {
            if (s.status() == StepStatus.SUCCEEDED) {
                out.put(s.id(), s.output());
            }
        }
        return out;
    }
}
