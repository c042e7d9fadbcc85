package io.rewoo4j.tools.http;

/** The URL (or a redirect's {@code Location}) is malformed, is not http(s), has no host, or carries credentials. */
public final class InvalidUrlException extends FetchException {

    private static final long serialVersionUID = 1L;

    public InvalidUrlException(String url, String reason) {
        super(url, "Invalid URL '" + url + "': " + reason, null);
    }
}
