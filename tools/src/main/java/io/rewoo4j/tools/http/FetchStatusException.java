package io.rewoo4j.tools.http;

/**
 * The server answered with a status other than 200/203 that is not a followed redirect. 202 is included on purpose:
 * for a page fetch it means "no page here", and DuckDuckGo uses it to signal rate limiting.
 */
public final class FetchStatusException extends FetchException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;

    public FetchStatusException(String url, int statusCode) {
        super(url, "HTTP " + statusCode + " from " + url, null);
        this.statusCode = statusCode;
    }

    public int statusCode() {
        return statusCode;
    }

    /** Whether the status is 429 Too Many Requests. */
    public boolean isTooManyRequests() {
        return statusCode == 429;
    }

    /** Whether the status is 202 Accepted (a page that is not ready; DuckDuckGo's rate-limit answer). */
    public boolean isAccepted() {
        return statusCode == 202;
    }

    /** Whether the status is 403 Forbidden. */
    public boolean isForbidden() {
        return statusCode == 403;
    }

    /** Whether the status is a 5xx server error. */
    public boolean isServerError() {
        return statusCode >= 500 && statusCode <= 599;
    }
}
