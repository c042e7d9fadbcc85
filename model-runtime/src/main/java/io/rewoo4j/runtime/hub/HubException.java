package io.rewoo4j.runtime.hub;

import java.io.IOException;

/** Why a pull from the hub failed. Each subtype says what the user can do about it. */
public abstract sealed class HubException extends IOException
        permits HubAccessDeniedException, HubNotFoundException, HubTransferException, HubProtocolException {

    private final int status;

    HubException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status that caused this, or 0 when there was none (network failure, size mismatch). */
    public int status() {
        return status;
    }
}
