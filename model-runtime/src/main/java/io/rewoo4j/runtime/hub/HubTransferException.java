package io.rewoo4j.runtime.hub;

/**
 * The transfer itself failed: the network after the last retry, a server error that did not go away, or a file
 * whose size differs from what the hub announced. What was written stays in {@code FILE.incomplete} for the next
 * pull to resume (unless it is known to be wrong).
 */
public final class HubTransferException extends HubException {

    HubTransferException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
