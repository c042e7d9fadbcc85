package io.rewoo4j.runtime.hub;

/** The server answered something this client does not understand: an unexpected status, a malformed listing, a bad redirect. */
public final class HubProtocolException extends HubException {

    HubProtocolException(String message, int status) {
        super(message, status, null);
    }
}
