package io.rewoo4j.tools.http;

/** The response body (after decompression) exceeded {@link HttpFetchOptions#maxBodyBytes()}; reading was aborted. */
public final class ResponseTooLargeException extends FetchException {

    private static final long serialVersionUID = 1L;

    private final long limitBytes;

    public ResponseTooLargeException(String url, long limitBytes) {
        super(url, "Response from " + url + " is larger than " + limitBytes + " bytes", null);
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
