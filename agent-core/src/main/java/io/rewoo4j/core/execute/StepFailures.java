package io.rewoo4j.core.execute;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.tool.ToolException;

/** Turns what a guarded tool call failed with into a {@link StepError}. */
final class StepFailures {

    private StepFailures() {
    }

    static StepError classify(Throwable error, String tool, Duration timeout, int attempts) {
        String tries = attempts > 1 ? " (after " + attempts + " attempts)" : "";
        if (error instanceof TimeoutException) {
            String limit = timeout == null ? "its timeout" : timeout.toString();
            return StepError.of(StepError.Kind.TIMEOUT, tool + " gave no evidence within " + limit + tries);
        }
        if (error instanceof CallNotPermittedException) {
            return StepError.of(StepError.Kind.CIRCUIT_OPEN, "not called: " + error.getMessage());
        }
        if (error instanceof BulkheadFullException) {
            return StepError.of(StepError.Kind.BULKHEAD_FULL, "not called: " + error.getMessage() + tries);
        }
        if (error instanceof ToolException) {
            return StepError.of(StepError.Kind.TOOL_ERROR, tool + " failed: " + error.getMessage() + tries);
        }
        return StepError.of(StepError.Kind.TOOL_ERROR, tool + " failed: " + describe(error) + tries);
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        String type = error.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }
}
