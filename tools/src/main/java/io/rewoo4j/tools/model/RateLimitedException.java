package io.rewoo4j.tools.model;

import java.net.URI;
import java.time.Duration;

/** 429: too many requests, or (TGI) the model is overloaded. Retried, waiting at least {@link #retryAfter()}. */
public final class RateLimitedException extends HttpStatusException {

    private static final long serialVersionUID = 1L;

    /** @param retryAfter the server's {@code Retry-After}, or {@code null} */
    public RateLimitedException(URI endpoint, String serverMessage, Duration retryAfter) {
        super(endpoint, 429, serverMessage, retryAfter);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
