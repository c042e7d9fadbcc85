package io.rewoo4j.core.function;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The params a function is invoked with. The dispatcher hands a function only params that passed validation against
 * its schema, so the typed accessors of declared, required parameters cannot fail; a JSON {@code null} reads as
 * absent. Immutable.
 */
public final class FunctionParams {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final ObjectNode node;

    private FunctionParams(ObjectNode node) {
        this.node = node;
    }

    /** Params from a JSON object (copied). Not validated: use it to call a function directly, as tests do. */
    public static FunctionParams of(JsonNode params) {
        Objects.requireNonNull(params, "params");
        if (!params.isObject()) {
            throw new IllegalArgumentException("params must be a JSON object, not " + Mappers.describe(params));
        }
        return new FunctionParams((ObjectNode) params.deepCopy());
    }

    /** Params from a map of JSON-like values. Not validated. */
    public static FunctionParams of(Map<String, ?> params) {
        return new FunctionParams(Mappers.STRICT.valueToTree(params));
    }

    /** Whether {@code name} was given (with a value other than {@code null}). */
    public boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    /** The value of {@code name}; empty when absent or {@code null}. */
    public Optional<JsonNode> get(String name) {
        return has(name) ? Optional.of(node.get(name).deepCopy()) : Optional.empty();
    }

    /** The string parameter {@code name}. */
    public String string(String name) {
        return optionalString(name).orElseThrow(() -> absent(name, "string"));
    }

    /** The string parameter {@code name}, when given. */
    public Optional<String> optionalString(String name) {
        JsonNode value = typed(name, "string", JsonNode::isString);
        return value == null ? Optional.empty() : Optional.of(value.stringValue());
    }

    /** The integer parameter {@code name}. */
    public long integer(String name) {
        JsonNode value = typed(name, "integer", v -> v.isNumber() && v.canConvertToExactIntegral());
        if (value == null) {
            throw absent(name, "integer");
        }
        return value.longValue();
    }

    /** The number parameter {@code name}. */
    public double number(String name) {
        JsonNode value = typed(name, "number", JsonNode::isNumber);
        if (value == null) {
            throw absent(name, "number");
        }
        return value.doubleValue();
    }

    /** The boolean parameter {@code name}. */
    public boolean bool(String name) {
        JsonNode value = typed(name, "boolean", JsonNode::isBoolean);
        if (value == null) {
            throw absent(name, "boolean");
        }
        return value.booleanValue();
    }

    /** The params bound to a type, e.g. a record whose components are the parameters. */
    public <T> T as(Class<T> type) {
        return Mappers.STRICT.convertValue(node, type);
    }

    /** The params as plain Java values (maps, lists, strings, numbers, booleans), in their order. */
    public Map<String, Object> asMap() {
        return Mappers.STRICT.convertValue(node, MAP);
    }

    /** The params as a JSON object (a copy). */
    public ObjectNode asJson() {
        return node.deepCopy();
    }

    private JsonNode typed(String name, String type, Predicate<JsonNode> test) {
        if (!has(name)) {
            return null;
        }
        JsonNode value = node.get(name);
        if (!test.test(value)) {
            throw new IllegalArgumentException("param '" + name + "' is " + Mappers.describe(value) + ", not " + type);
        }
        return value;
    }

    private static IllegalArgumentException absent(String name, String type) {
        return new IllegalArgumentException("param '" + name + "' (" + type + ") was not given");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FunctionParams other && node.equals(other.node);
    }

    @Override
    public int hashCode() {
        return node.hashCode();
    }

    /** The params as JSON text. */
    @Override
    public String toString() {
        return node.toString();
    }
}
