package io.rewoo4j.runtime.hub;

/** 404: the repository, the revision or a file does not exist; the message names which. */
public final class HubNotFoundException extends HubException {

    /** What the hub could not find. */
    public enum Missing { REPOSITORY, REVISION, REPOSITORY_OR_REVISION, FILE }

    private final Missing missing;

    HubNotFoundException(String message, Missing missing) {
        super(message, 404, null);
        this.missing = missing;
    }

    public Missing missing() {
        return missing;
    }
}
