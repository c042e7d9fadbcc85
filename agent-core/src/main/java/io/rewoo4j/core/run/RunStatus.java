package io.rewoo4j.core.run;

/** How a run ended (or that it has not yet). */
public enum RunStatus {
    /** Still planning, executing or solving. */
    RUNNING,
    /** Every step succeeded and the answer was produced. */
    SUCCEEDED,
    /** The plan was rejected, the model failed, a step did not succeed, or no answer could be produced. */
    FAILED,
    /** The run deadline passed; steps finished before it keep their evidence. */
    TIMED_OUT,
    /** The caller went away (the run's subscription was cancelled). */
    CANCELLED
}
