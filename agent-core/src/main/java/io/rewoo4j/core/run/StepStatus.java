package io.rewoo4j.core.run;

/** Where a plan step stands. {@link #SUCCEEDED}, {@link #FAILED} and {@link #SKIPPED} are final. */
public enum StepStatus {
    /** Parsed, waiting for its dependencies or for a free slot under the concurrency limits. */
    PENDING,
    /** Its tool call is in flight (retries included). */
    RUNNING,
    /** The tool produced evidence. */
    SUCCEEDED,
    /** The tool call failed, timed out, was rejected, or was cancelled by the run; see the step's error. */
    FAILED,
    /** Never started: a dependency did not succeed, or the run ended first; see the step's error. */
    SKIPPED;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED;
    }
}
