package io.rewoo4j.tools.model;

import java.net.URI;

/** 401 or 403: the API key is missing, wrong, or not allowed to use this model. Not retried. */
public final class AuthenticationException extends HttpStatusException {

    private static final long serialVersionUID = 1L;

    public AuthenticationException(URI endpoint, int status, String serverMessage) {
        super(endpoint, status, serverMessage, null);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
