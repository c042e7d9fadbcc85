package io.rewoo4j.core.run;

import java.util.Objects;

/**
 * Why a run did not succeed.
 *
 * @param code    a stable name: a plan error's code ({@code undefined_reference}, {@code unknown_tool}, ...; see the
 *                planner's {@code PlanError}), or one of {@link #PLAN_STREAM_FAILED}, {@link #STEPS_FAILED},
 *                {@link #DEADLINE_EXCEEDED}, {@link #SOLVER_FAILED}, {@link #NO_ANSWER}, {@link #CANCELLED},
 *                {@link #INTERNAL}
 * @param message a sentence for people
 * @param line    for plan errors, the 1-based plan line; otherwise {@code null}
 */
public record RunError(String code, String message, Integer line) {

    /** The plan stream failed for a reason other than a parse error (typically the model). */
    public static final String PLAN_STREAM_FAILED = "plan_stream_failed";
    /** At least one step failed or was skipped. */
    public static final String STEPS_FAILED = "steps_failed";
    /** The run deadline passed. */
    public static final String DEADLINE_EXCEEDED = "deadline_exceeded";
    /** The solver model failed. */
    public static final String SOLVER_FAILED = "solver_failed";
    /** The answer could not be produced from the evidence. */
    public static final String NO_ANSWER = "no_answer";
    /** The caller cancelled the run. */
    public static final String CANCELLED = "cancelled";
    /** A defect in rewoo4j itself. */
    public static final String INTERNAL = "internal_error";

    public RunError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public static RunError of(String code, String message) {
        return new RunError(code, message, null);
    }
}
