package io.rewoo4j.tools.model;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with an HTTP error status, or reported an error inside a stream that had started with 200
 * (then {@link #status()} is the status the server uses for that kind of error: vLLM's {@code code}, or TGI's
 * {@code error_type} as TGI maps it: validation 422, overloaded 429, generation 424, others 500).
 */
public abstract sealed class HttpStatusException extends ModelClientException
        permits AuthenticationException, RateLimitedException, BadRequestException, ServerErrorException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String serverMessage;
    private final Duration retryAfter;

    HttpStatusException(URI endpoint, int status, String serverMessage, Duration retryAfter) {
        super(endpoint, "HTTP " + status + (serverMessage.isEmpty() ? "" : ": " + serverMessage), null);
        this.status = status;
        this.serverMessage = serverMessage;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** The error message the server sent (from its JSON error body, else the body's text); may be empty. */
    public String serverMessage() {
        return serverMessage;
    }

    /** The delay the server asked for in its {@code Retry-After} header, if it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
