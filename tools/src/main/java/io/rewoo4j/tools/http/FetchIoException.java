package io.rewoo4j.tools.http;

/** The host name did not resolve, the connection failed or broke, or TLS failed. */
public final class FetchIoException extends FetchException {

    private static final long serialVersionUID = 1L;

    public FetchIoException(String url, String message, Throwable cause) {
        super(url, message + " (" + url + ")", cause);
    }
}
