package io.rewoo4j.tools.search;

/**
 * Why a DuckDuckGo search failed for a reason of DuckDuckGo's own (transport failures arrive as the fetcher's
 * {@link io.rewoo4j.tools.http.FetchException}s).
 */
public abstract sealed class DuckDuckGoException extends RuntimeException
        permits DuckDuckGoRateLimitedException, DuckDuckGoPageFormatException {

    private static final long serialVersionUID = 1L;

    DuckDuckGoException(String message) {
        super(message);
    }

    /** Whether trying again later may succeed. */
    public abstract boolean isRetryable();
}
