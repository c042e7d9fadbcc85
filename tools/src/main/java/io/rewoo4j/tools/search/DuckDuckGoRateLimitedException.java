package io.rewoo4j.tools.search;

import java.util.Objects;

/**
 * DuckDuckGo refused to answer now: HTTP 202, 403 or 429, or a bot challenge page. Retryable after a pause; never
 * to be read as "no results".
 */
public final class DuckDuckGoRateLimitedException extends DuckDuckGoException {

    private static final long serialVersionUID = 1L;

    /** How the refusal showed itself. */
    public enum Signal {
        /** An HTTP status: 202 (DuckDuckGo's usual answer), 403 or 429. */
        STATUS,
        /** A 200 page carrying a challenge form or anomaly notice instead of results. */
        CHALLENGE_PAGE
    }

    private final Signal signal;
    private final int statusCode;
    private final String url;

    DuckDuckGoRateLimitedException(Signal signal, int statusCode, String url) {
        super(signal == Signal.STATUS
                ? "DuckDuckGo rate-limited the search (HTTP " + statusCode + ") at " + url
                : "DuckDuckGo answered with a bot challenge instead of results at " + url);
        this.signal = Objects.requireNonNull(signal, "signal");
        this.statusCode = statusCode;
        this.url = url;
    }

    public Signal signal() {
        return signal;
    }

    /** The HTTP status (200 for a challenge page). */
    public int statusCode() {
        return statusCode;
    }

    public String url() {
        return url;
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
