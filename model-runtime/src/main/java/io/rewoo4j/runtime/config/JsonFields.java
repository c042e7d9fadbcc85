package io.rewoo4j.runtime.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Typed reads of a JSON object's fields, failing with the source and field named. Stays inside this package. */
final class JsonFields {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String source;
    private final JsonNode node;

    JsonFields(String source, JsonNode node) {
        this.source = source;
        this.node = node;
    }

    static JsonFields parse(String source, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidConfigException(source, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException(source, "not a JSON object");
        }
        return new JsonFields(source, root);
    }

    static JsonFields read(Path file) {
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    String source() {
        return source;
    }

    JsonNode node() {
        return node;
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    JsonFields object(String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            throw new InvalidConfigException(source, "'" + field + "' is not a JSON object");
        }
        return new JsonFields(source + " " + field, v);
    }

    int requireInt(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidConfigException(source, "missing required field '" + field + "'");
        }
        return toInt(field, v);
    }

    int optInt(String field, int dflt) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? dflt : toInt(field, v);
    }

    Integer optIntOrNull(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : toInt(field, v);
    }

    private int toInt(String field, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InvalidConfigException(source, "'" + field + "' must be an integer, got " + v);
        }
        return v.intValue();
    }

    double optDouble(String field, double dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new InvalidConfigException(source, "'" + field + "' must be a number, got " + v);
        }
        return v.doubleValue();
    }

    boolean optBoolean(String field, boolean dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new InvalidConfigException(source, "'" + field + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    String optString(String field, String dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isString()) {
            throw new InvalidConfigException(source, "'" + field + "' must be a string, got " + v);
        }
        return v.stringValue();
    }

    String requireString(String field) {
        String s = optString(field, null);
        if (s == null) {
            throw new InvalidConfigException(source, "missing required field '" + field + "'");
        }
        return s;
    }
}
