package io.rewoo4j.core.function;

import java.util.Locale;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

/** The JSON Schema {@code type}s a function parameter may have. */
public enum ParameterType {

    STRING,
    /** Any JSON number, integral or not. */
    NUMBER,
    /** A number with no fractional part: {@code 3}, and also {@code 3.0}, as JSON Schema defines it. */
    INTEGER,
    BOOLEAN,
    ARRAY,
    OBJECT;

    /** The name JSON Schema uses: {@code string}, {@code integer}, ... */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type JSON Schema calls {@code name}; empty for {@code null} and unknown names. */
    public static Optional<ParameterType> fromJsonName(String name) {
        for (ParameterType type : values()) {
            if (type.jsonName().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code value} has this type. Nothing is coerced: the string {@code "3"} is not an integer and
     * {@code "true"} is not a boolean.
     */
    public boolean accepts(JsonNode value) {
        return switch (this) {
            case STRING -> value.isString();
            case NUMBER -> value.isNumber();
            case INTEGER -> value.isIntegralNumber() || (value.isNumber() && value.canConvertToExactIntegral());
            case BOOLEAN -> value.isBoolean();
            case ARRAY -> value.isArray();
            case OBJECT -> value.isObject();
        };
    }

    @Override
    public String toString() {
        return jsonName();
    }
}
