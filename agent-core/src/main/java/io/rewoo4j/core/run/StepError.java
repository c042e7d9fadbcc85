package io.rewoo4j.core.run;

import java.util.Objects;

/**
 * Why a step failed or was skipped.
 *
 * @param kind      the category, for machines
 * @param message   a sentence for people
 * @param blockedBy for {@link Kind#DEPENDENCY_FAILED}: the id of the failed step at the root of the chain (not
 *                  merely the direct dependency); otherwise {@code null}
 */
public record StepError(Kind kind, String message, String blockedBy) {

    public StepError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    public static StepError of(Kind kind, String message) {
        return new StepError(kind, message, null);
    }

    /** The categories of step errors. */
    public enum Kind {
        /** The tool signalled an error (after any retries). */
        TOOL_ERROR,
        /** An attempt exceeded the tool's timeout (after any retries). */
        TIMEOUT,
        /** The step names a tool the registry does not have. */
        UNKNOWN_TOOL,
        /** The tool's circuit breaker is open: the call was not made. */
        CIRCUIT_OPEN,
        /** The tool's bulkhead was full: the call was not made. */
        BULKHEAD_FULL,
        /** The tool completed without evidence. */
        NO_EVIDENCE,
        /** Skipped because a step it depends on, directly or transitively, did not succeed. */
        DEPENDENCY_FAILED,
        /** Cancelled or never started because the run deadline passed. */
        DEADLINE_EXCEEDED,
        /** Cancelled or never started because the run was aborted: the plan was rejected or its stream failed. */
        RUN_ABORTED
    }
}
