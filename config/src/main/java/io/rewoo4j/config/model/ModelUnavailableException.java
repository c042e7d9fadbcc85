package io.rewoo4j.config.model;

/** No usable model is configured; the message says what to set. The REST API answers it with 503. */
public class ModelUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelUnavailableException(String message) {
        super(message);
    }
}
