package io.rewoo4j.tools.model;

import java.net.URI;

/**
 * The server's answer does not follow its protocol: an event that is not the expected JSON, a response without the
 * text field, or a stream that ended before the completion did. Not retried: it points at a wrong base URL, a proxy in
 * the way, or an incompatible server.
 */
public final class MalformedResponseException extends ModelClientException {

    private static final long serialVersionUID = 1L;

    public MalformedResponseException(URI endpoint, String message, Throwable cause) {
        super(endpoint, message, cause);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
