package io.rewoo4j.core.function;

import java.util.Objects;

/**
 * One way the params break their function's schema.
 *
 * @param path     where, as a JSON pointer from the call object: {@code /params/location},
 *                 {@code /params/filters/keyword}, {@code /params/tags/2}
 * @param rule     which rule is broken
 * @param expected what the schema wants there ({@code integer}, {@code one of "celsius", "fahrenheit"})
 * @param actual   what was there ({@code number 2.5}, {@code string "3"}, {@code missing})
 */
public record ParamViolation(String path, Rule rule, String expected, String actual) {

    /** The rules params are checked against. */
    public enum Rule {
        /** A required property is absent (or {@code null}). */
        MISSING_REQUIRED,
        /** A value has another JSON type than declared. */
        WRONG_TYPE,
        /** A value is not one of the declared {@code enum} values. */
        NOT_IN_ENUM,
        /** A property the schema does not declare, where undeclared properties are not allowed. */
        UNKNOWN_PROPERTY
    }

    public ParamViolation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
    }

    /** {@code /params/days: expected integer, got number 2.5}. */
    public String message() {
        return switch (rule) {
            case MISSING_REQUIRED -> path + ": required " + expected + " is missing";
            case UNKNOWN_PROPERTY -> path + ": unknown property (" + expected + "), got " + actual;
            default -> path + ": expected " + expected + ", got " + actual;
        };
    }

    @Override
    public String toString() {
        return message();
    }

    /** A property name as a JSON pointer segment (RFC 6901: {@code ~} as {@code ~0}, {@code /} as {@code ~1}). */
    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
