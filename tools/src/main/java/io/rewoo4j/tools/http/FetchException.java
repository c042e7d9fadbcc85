package io.rewoo4j.tools.http;

import java.util.Objects;

/**
 * Why {@link SafeHttpFetcher} could not return a page. The set is closed so that callers (tool wrappers, retry
 * policies) can switch over it exhaustively.
 */
public abstract sealed class FetchException extends RuntimeException
        permits InvalidUrlException, BlockedAddressException, TooManyRedirectsException, ResponseTooLargeException,
        UnsupportedContentTypeException, FetchTimeoutException, FetchStatusException, FetchIoException {

    private static final long serialVersionUID = 1L;

    private final String url;

    FetchException(String url, String message, Throwable cause) {
        super(message, cause);
        this.url = Objects.requireNonNull(url, "url");
    }

    /** The URL of the request (or redirect hop) that failed, as text. */
    public String url() {
        return url;
    }
}
