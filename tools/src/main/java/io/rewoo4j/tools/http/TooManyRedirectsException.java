package io.rewoo4j.tools.http;

/** The server redirected more often than {@link HttpFetchOptions#maxRedirects()} allows. */
public final class TooManyRedirectsException extends FetchException {

    private static final long serialVersionUID = 1L;

    private final int maxRedirects;

    public TooManyRedirectsException(String url, int maxRedirects) {
        super(url, "Too many redirects (more than " + maxRedirects + ") starting from " + url, null);
        this.maxRedirects = maxRedirects;
    }

    public int maxRedirects() {
        return maxRedirects;
    }
}
