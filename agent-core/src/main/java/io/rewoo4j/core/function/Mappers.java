package io.rewoo4j.core.function;

import java.util.Locale;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The JSON and YAML mappers of this package, and how its messages show values. */
final class Mappers {

    /**
     * Request bodies and schema documents: standard JSON, but a property given twice is an error rather than "last
     * one wins", because a call whose {@code function} is ambiguous must not be guessed at.
     */
    static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Model output: JSON as models actually write it (single-quoted strings, trailing commas, comments, raw newlines
     * in strings). These are extensions of the grammar, parsed by Jackson, not text rewriting, so a quote or brace
     * inside a string can never be misread. Reading stops after the first value: the text after it is prose.
     */
    static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_TRAILING_COMMA,
                    JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** YAML answers ({@code function: x\nparams:\n  a: b}); duplicate keys are errors, as in JSON. */
    static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final int VALUE_CHARS = 60;

    private Mappers() {
    }

    /** A value as messages show it: its JSON type and, for scalars, the value ({@code string "3"}). */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isArray()) {
            return "array of " + value.size() + (value.size() == 1 ? " item" : " items");
        }
        if (value.isObject()) {
            return "object";
        }
        String type = value.isString() ? "string"
                : value.isBoolean() ? "boolean"
                : value.isIntegralNumber() ? "integer"
                : value.isNumber() ? "number"
                : value.getNodeType().name().toLowerCase(Locale.ROOT);
        return type + " " + abbreviate(STRICT.writeValueAsString(value), VALUE_CHARS);
    }

    /** {@code text} cut to about {@code max} characters, saying how much was left out. */
    static String abbreviate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "… (" + text.length() + " chars)";
    }
}
