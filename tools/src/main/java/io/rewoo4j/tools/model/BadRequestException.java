package io.rewoo4j.tools.model;

import java.net.URI;

/**
 * A 4xx other than 401, 403 and 429: the server rejected the request (400, 422 validation errors such as a prompt
 * longer than the context or too many stop sequences; 404 for an unknown model or path). {@link #serverMessage()}
 * says why. Not retried: the same request would fail the same way.
 */
public final class BadRequestException extends HttpStatusException {

    private static final long serialVersionUID = 1L;

    public BadRequestException(URI endpoint, int status, String serverMessage) {
        super(endpoint, status, serverMessage, null);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
