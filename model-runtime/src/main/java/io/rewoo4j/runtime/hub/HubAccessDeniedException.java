package io.rewoo4j.runtime.hub;

/**
 * 401 or 403: the repository is private or gated (or, for 401, may not exist: the hub does not tell anonymous
 * callers which). The message says to set {@code HF_TOKEN}.
 */
public final class HubAccessDeniedException extends HubException {

    private final boolean tokenSent;

    HubAccessDeniedException(String message, int status, boolean tokenSent) {
        super(message, status, null);
        this.tokenSent = tokenSent;
    }

    /** Whether the refused request carried a token. */
    public boolean tokenSent() {
        return tokenSent;
    }
}
