package io.rewoo4j.tools.search;

/**
 * The page is neither a result list, a "no results" page nor a challenge: DuckDuckGo changed its markup or
 * something else answered. Reported rather than read as "no results".
 */
public final class DuckDuckGoPageFormatException extends DuckDuckGoException {

    private static final long serialVersionUID = 1L;

    private final String url;

    DuckDuckGoPageFormatException(String url, String problem) {
        super("Unrecognised DuckDuckGo page at " + url + ": " + problem);
        this.url = url;
    }

    public String url() {
        return url;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
