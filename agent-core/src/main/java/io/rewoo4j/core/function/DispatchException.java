package io.rewoo4j.core.function;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Why a dispatch failed; the closed set of {@link Kind}s. The first three are raised before any function is
 * invoked (the caller, or the model, asked for something that cannot be called) and map to HTTP 422; a
 * {@link FunctionFailed} means the function ran and failed, and maps to HTTP 502. See {@link Kind}.
 */
public abstract sealed class DispatchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kinds of failure, one per subclass. */
    public enum Kind {
        /** {@link NoFunctionCall}: no call could be read. Nothing invoked; HTTP 422. */
        NO_FUNCTION_CALL(false),
        /** {@link UnknownFunction}: the call names no registered function. Nothing invoked; HTTP 422. */
        UNKNOWN_FUNCTION(false),
        /** {@link InvalidParams}: the params break the function's schema. Nothing invoked; HTTP 422. */
        INVALID_PARAMS(false),
        /** {@link FunctionFailed}: the function was invoked and failed. HTTP 502. */
        FUNCTION_FAILED(true);

        private final boolean invoked;

        Kind(boolean invoked) {
            this.invoked = invoked;
        }

        /** Whether a function was invoked before this failure; {@code false} means nothing ran at all. */
        public boolean functionInvoked() {
            return invoked;
        }
    }

    private DispatchException(String message, Throwable cause, boolean invoked) {
        // the rejections are answers to a bad request, not faults: their stack traces would say nothing
        super(message, cause, true, invoked);
    }

    /** Which failure this is. */
    public abstract Kind kind();

    /** No function call could be read from the text or object given. */
    public static final class NoFunctionCall extends DispatchException {

        private static final long serialVersionUID = 1L;

        private final String reason;
        private final String excerpt;

        /**
         * @param reason  what was missing or wrong
         * @param excerpt the (abbreviated) text that was searched; {@code null} when the input was not text
         */
        public NoFunctionCall(String reason, String excerpt) {
            super("no function call found: " + reason + (excerpt == null ? "" : "; the text was: " + excerpt),
                    null, false);
            this.reason = Objects.requireNonNull(reason, "reason");
            this.excerpt = excerpt;
        }

        public String reason() {
            return reason;
        }

        /** The searched text, abbreviated and quoted; {@code null} when the input was not text. */
        public String excerpt() {
            return excerpt;
        }

        @Override
        public Kind kind() {
            return Kind.NO_FUNCTION_CALL;
        }
    }

    /** The call names a function that is not registered. */
    public static final class UnknownFunction extends DispatchException {

        private static final long serialVersionUID = 1L;

        private final String function;
        private final List<String> known;

        public UnknownFunction(String function, List<String> known) {
            super("unknown function '" + function + "'; "
                    + (known.isEmpty() ? "no functions are registered" : "known functions: " + String.join(", ", known)),
                    null, false);
            this.function = function;
            this.known = List.copyOf(known);
        }

        /** The name as the call wrote it. */
        public String function() {
            return function;
        }

        /** The registered names, in registration order. */
        public List<String> known() {
            return known;
        }

        @Override
        public Kind kind() {
            return Kind.UNKNOWN_FUNCTION;
        }
    }

    /** The params break the function's schema; every violation is listed. */
    public static final class InvalidParams extends DispatchException {

        private static final long serialVersionUID = 1L;

        private final String function;
        private final List<ParamViolation> violations;

        public InvalidParams(String function, List<ParamViolation> violations) {
            super("invalid params for function '" + function + "': "
                    + violations.stream().map(ParamViolation::message).collect(Collectors.joining("; ")), null, false);
            if (violations.isEmpty()) {
                throw new IllegalArgumentException("invalid params need at least one violation");
            }
            this.function = function;
            this.violations = List.copyOf(violations);
        }

        /** The function's registered name. */
        public String function() {
            return function;
        }

        /** Every violation, in schema order. */
        public List<ParamViolation> violations() {
            return violations;
        }

        @Override
        public Kind kind() {
            return Kind.INVALID_PARAMS;
        }
    }

    /** The function was invoked with valid params and signalled an error (the cause), or timed out. */
    public static final class FunctionFailed extends DispatchException {

        private static final long serialVersionUID = 1L;

        private final String function;

        public FunctionFailed(String function, Throwable cause) {
            super("function '" + function + "' failed: " + describe(cause), Objects.requireNonNull(cause, "cause"),
                    true);
            this.function = function;
        }

        /** The function's registered name. */
        public String function() {
            return function;
        }

        private static String describe(Throwable cause) {
            return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        }

        @Override
        public Kind kind() {
            return Kind.FUNCTION_FAILED;
        }
    }
}
