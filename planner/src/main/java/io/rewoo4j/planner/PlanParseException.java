package io.rewoo4j.planner;

import java.util.Objects;

/** The only exception the plan parser throws: a typed {@link PlanError} naming the line. */
public final class PlanParseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient PlanError error;

    public PlanParseException(PlanError error) {
        super(Objects.requireNonNull(error, "error").message(), null, false, false);
        this.error = error;
    }

    public PlanError error() {
        return error;
    }

    /** The 1-based line the error was found on. */
    public int line() {
        return error.line();
    }
}
