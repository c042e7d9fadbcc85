package io.rewoo4j.core.tool;

/**
 * A failure a tool reports about its own call. {@link #retryable()} says whether calling again with the same input
 * could succeed: a network error could, a malformed input could not. Non-retryable failures are not retried and do
 * not count against the tool's circuit breaker, because they say nothing about the tool's health.
 */
public class ToolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public ToolException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    public ToolException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** A failure caused by the input itself: not retried. */
    public static ToolException badInput(String message) {
        return new ToolException(message, false);
    }

    /** Whether calling again with the same input could succeed. */
    public boolean retryable() {
        return retryable;
    }
}
