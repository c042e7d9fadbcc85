package io.rewoo4j.tools.model;

import java.net.URI;
import java.util.Objects;

/**
 * Why a call to a remote model server failed. The set is closed so that callers can switch over it:
 * <ul>
 *   <li>{@link HttpStatusException} — the server answered with an error status (or reported one inside the stream):
 *       {@link AuthenticationException} (401, 403), {@link RateLimitedException} (429),
 *       {@link BadRequestException} (other 4xx), {@link ServerErrorException} (5xx);</li>
 *   <li>{@link ModelTimeoutException} — connecting, the response, or the next chunk took too long;</li>
 *   <li>{@link ConnectionFailedException} — the connection could not be made or broke;</li>
 *   <li>{@link MalformedResponseException} — the server's answer is not the protocol it should speak.</li>
 * </ul>
 * {@link #isRetryable()} says whether the clients retry it (only ever before any text has been emitted).
 */
public abstract sealed class ModelClientException extends RuntimeException
        permits HttpStatusException, ModelTimeoutException, ConnectionFailedException, MalformedResponseException {

    private static final long serialVersionUID = 1L;

    private final URI endpoint;

    ModelClientException(URI endpoint, String message, Throwable cause) {
        super(endpoint + ": " + message, cause);
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /** The URL the request went to. */
    public URI endpoint() {
        return endpoint;
    }

    /** Whether the same request may succeed if sent again (rate limits, server errors, broken connections). */
    public abstract boolean isRetryable();
}
