package io.rewoo4j.tools.model;

import java.net.URI;
import java.time.Duration;

/**
 * 5xx, or TGI's 424 (the model shard failed while generating): the server failed. Retried, except 501 (the server does
 * not implement the endpoint: retrying cannot help).
 */
public final class ServerErrorException extends HttpStatusException {

    private static final long serialVersionUID = 1L;

    /** @param retryAfter the server's {@code Retry-After} (503 may carry one), or {@code null} */
    public ServerErrorException(URI endpoint, int status, String serverMessage, Duration retryAfter) {
        super(endpoint, status, serverMessage, retryAfter);
    }

    @Override
    public boolean isRetryable() {
        return status() != 501;
    }
}
