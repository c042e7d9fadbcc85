package io.rewoo4j.tools.http;

import java.time.Duration;
import java.util.Objects;

/** A connect, read or total time limit ran out. */
public final class FetchTimeoutException extends FetchException {

    private static final long serialVersionUID = 1L;

    /** Which limit ran out. */
    public enum Phase {
        /** Opening the TCP connection (and the TLS handshake). */
        CONNECT,
        /** Waiting for the response or for the next part of its body. */
        READ,
        /** The whole fetch, redirects included. */
        TOTAL
    }

    private final Phase phase;
    private final Duration limit;

    public FetchTimeoutException(String url, Phase phase, Duration limit, Throwable cause) {
        super(url, phase.name().toLowerCase(java.util.Locale.ROOT) + " timeout after " + limit.toMillis()
                + " ms fetching " + url, cause);
        this.phase = Objects.requireNonNull(phase, "phase");
        this.limit = Objects.requireNonNull(limit, "limit");
    }

    public Phase phase() {
        return phase;
    }

    public Duration limit() {
        return limit;
    }
}
