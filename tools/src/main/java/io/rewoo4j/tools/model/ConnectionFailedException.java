package io.rewoo4j.tools.model;

import java.net.URI;

/**
 * The connection could not be opened (refused, unknown host) or broke before the response was complete. Retried
 * (before any text), except for TLS failures, which a second attempt would repeat.
 */
public final class ConnectionFailedException extends ModelClientException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public ConnectionFailedException(URI endpoint, String message, Throwable cause, boolean retryable) {
        super(endpoint, message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }
}
