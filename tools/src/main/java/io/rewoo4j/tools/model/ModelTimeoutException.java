package io.rewoo4j.tools.model;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A timeout of {@link HttpTimeouts}. Only {@link Phase#CONNECT} is retried: a server that accepted the request and
 * then went quiet is busy or stuck, and sending the request again would queue a duplicate behind it.
 */
public final class ModelTimeoutException extends ModelClientException {

    private static final long serialVersionUID = 1L;

    /** What took too long. */
    public enum Phase {
        /** Opening the TCP connection. */
        CONNECT,
        /** The response headers, counted from the start of the attempt (for a non-streamed call: the whole generation). */
        RESPONSE,
        /** The next chunk of the response body. */
        IDLE
    }

    private final Phase phase;
    private final Duration limit;

    public ModelTimeoutException(URI endpoint, Phase phase, Duration limit, Throwable cause) {
        super(endpoint, describe(phase, limit), cause);
        this.phase = Objects.requireNonNull(phase, "phase");
        this.limit = limit;
    }

    private static String describe(Phase phase, Duration limit) {
        String what = switch (phase) {
            case CONNECT -> "could not connect";
            case RESPONSE -> "no response";
            case IDLE -> "no data from the server";
        };
        return what + " within " + limit.toMillis() + " ms (" + phase.name().toLowerCase(Locale.ROOT)
                + " timeout)";
    }

    public Phase phase() {
        return phase;
    }

    /** The configured timeout that ran out. */
    public Duration limit() {
        return limit;
    }

    @Override
    public boolean isRetryable() {
        return phase == Phase.CONNECT;
    }
}
