package io.rewoo4j.core.function;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The schema of a function parameter: the subset of JSON Schema that rewoo4j validates, in full.
 *
 * <ul>
 *   <li>{@code type}: one of {@link ParameterType} (a single name; {@code null} and type lists are not supported);</li>
 *   <li>{@code description}: shown to the model in the prompt;</li>
 *   <li>{@code enum}: the allowed values (of the schema's type);</li>
 *   <li>for arrays, {@code items}: the schema of every item (absent: items are not checked);</li>
 *   <li>for objects, {@code properties} (in declaration order, which is the prompt's order), {@code required}, and
 *       {@code additionalProperties} (a boolean). Unlike JSON Schema, <b>undeclared properties are rejected unless
 *       {@code additionalProperties} is {@code true}</b>: a model that invents a parameter has usually misread the
 *       function, and silently dropping what it meant would change the call's meaning.</li>
 * </ul>
 * Annotations ({@code title}, {@code default}, {@code examples}, {@code format}, {@code $schema}, ...) are ignored.
 * Assertions this subset does not implement ({@code pattern}, {@code minimum}, {@code oneOf}, {@code $ref}, ...) are
 * rejected when the schema is read, naming the keyword and where it is: a schema is never enforced more weakly than
 * it reads.
 *
 * <p>Build schemas with the factories and {@code with*} methods, or read a JSON Schema document with
 * {@link #parse(String)} / {@link #fromJson(JsonNode)}.
 *
 * @param type                 the JSON type
 * @param description          what the parameter means, for the model; empty when none
 * @param enumValues           the allowed values; empty when any value of the type is allowed
 * @param items                for an array, the schema of its items; {@code null} when not checked (always
 *                             {@code null} for other types)
 * @param properties           for an object, its declared properties in order (empty for other types)
 * @param required             for an object, the names of the properties that must be present, each declared
 * @param additionalProperties for an object, whether undeclared properties are accepted (and passed on unchecked)
 */
public record ParameterSchema(ParameterType type, String description, List<JsonNode> enumValues,
                              ParameterSchema items, Map<String, ParameterSchema> properties, List<String> required,
                              boolean additionalProperties) {

    /** Assertion keywords outside the subset; a schema using one is refused rather than half-enforced. */
    private static final Set<String> UNSUPPORTED = Set.of(
            "$ref", "$defs", "definitions", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "const",
            "pattern", "patternProperties", "propertyNames", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
            "contains", "minContains", "maxContains", "prefixItems", "additionalItems", "unevaluatedItems",
            "unevaluatedProperties", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
            "dependencies");

    public ParameterSchema {
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description.strip();
        enumValues = enumValues.stream().map(JsonNode::deepCopy).toList();
        properties = properties.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        required = List.copyOf(new LinkedHashSet<>(required));
        if (type != ParameterType.ARRAY && items != null) {
            throw new IllegalArgumentException("only an array has items, not a " + type);
        }
        if (type != ParameterType.OBJECT && (!properties.isEmpty() || !required.isEmpty() || additionalProperties)) {
            throw new IllegalArgumentException("only an object has properties, not a " + type);
        }
        for (JsonNode value : enumValues) {
            if (!type.accepts(value)) {
                throw new IllegalArgumentException(
                        "enum value " + Mappers.describe(value) + " is not of the schema's type " + type);
            }
        }
        for (String name : required) {
            if (!properties.containsKey(name)) {
                throw new IllegalArgumentException("required property '" + name + "' is not declared in properties "
                        + properties.keySet());
            }
        }
    }

    // --- building -------------------------------------------------------------------------------------------

    public static ParameterSchema of(ParameterType type, String description) {
        return new ParameterSchema(type, description, List.of(), null, Map.of(), List.of(), false);
    }

    public static ParameterSchema string(String description) {
        return of(ParameterType.STRING, description);
    }

    public static ParameterSchema integer(String description) {
        return of(ParameterType.INTEGER, description);
    }

    public static ParameterSchema number(String description) {
        return of(ParameterType.NUMBER, description);
    }

    public static ParameterSchema bool(String description) {
        return of(ParameterType.BOOLEAN, description);
    }

    /** An array whose items must match {@code items} ({@code null}: any items). */
    public static ParameterSchema array(ParameterSchema items, String description) {
        return new ParameterSchema(ParameterType.ARRAY, description, List.of(), items, Map.of(), List.of(), false);
    }

    /** An object with no properties yet; add them with {@link #withRequired} and {@link #withOptional}. */
    public static ParameterSchema object(String description) {
        return of(ParameterType.OBJECT, description);
    }

    /** This schema with the given allowed values (strings, numbers or booleans, as the type says). */
    public ParameterSchema withEnum(Object... values) {
        return withEnum(Arrays.asList(values));
    }

    /** This schema with the given allowed values (strings, numbers, booleans or {@link JsonNode}s). */
    public ParameterSchema withEnum(List<?> values) {
        List<JsonNode> nodes = new ArrayList<>();
        for (Object value : values) {
            nodes.add(value instanceof JsonNode node ? node : Mappers.STRICT.valueToTree(value));
        }
        return new ParameterSchema(type, description, nodes, items, properties, required, additionalProperties);
    }

    /** This object schema with one more property, which must be present. */
    public ParameterSchema withRequired(String name, ParameterSchema schema) {
        return withProperty(name, schema, true);
    }

    /** This object schema with one more property, which may be left out. */
    public ParameterSchema withOptional(String name, ParameterSchema schema) {
        return withProperty(name, schema, false);
    }

    /** This object schema with or without acceptance of undeclared properties. */
    public ParameterSchema withAdditionalProperties(boolean allowed) {
        return new ParameterSchema(type, description, enumValues, items, properties, required, allowed);
    }

    private ParameterSchema withProperty(String name, ParameterSchema schema, boolean isRequired) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schema, "schema");
        if (properties.containsKey(name)) {
            throw new IllegalArgumentException("property '" + name + "' is already declared");
        }
        Map<String, ParameterSchema> props = new LinkedHashMap<>(properties);
        props.put(name, schema);
        List<String> req = new ArrayList<>(required);
        if (isRequired) {
            req.add(name);
        }
        return new ParameterSchema(type, description, enumValues, items, props, req, additionalProperties);
    }

    /** Whether {@code name} is a required property of this object schema. */
    public boolean isRequired(String name) {
        return required.contains(name);
    }

    // --- JSON Schema documents ------------------------------------------------------------------------------

    /**
     * Reads a JSON Schema document in the supported subset.
     *
     * @throws IllegalArgumentException if the text is not JSON or the schema is outside the subset; the message
     *                                  names the offending place as a JSON pointer ({@code /properties/unit})
     */
    public static ParameterSchema parse(String json) {
        JsonNode node;
        try {
            node = Mappers.STRICT.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromJson(node);
    }

    /** {@link #parse(String)} for a document already read. */
    public static ParameterSchema fromJson(JsonNode schema) {
        return read(schema, "");
    }

    private static ParameterSchema read(JsonNode node, String at) {
        String where = at.isEmpty() ? "the schema root" : at;
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("schema at " + where + " must be an object, not "
                    + Mappers.describe(node));
        }
        for (String keyword : node.propertyNames()) {
            if (UNSUPPORTED.contains(keyword)) {
                throw new IllegalArgumentException("unsupported JSON Schema keyword '" + keyword + "' at " + where
                        + "; rewoo4j validates type, enum, required, items, properties and additionalProperties");
            }
        }
        ParameterType type = readType(node, where);
        String description = "";
        JsonNode desc = node.get("description");
        if (desc != null && !desc.isNull()) {
            if (!desc.isString()) {
                throw new IllegalArgumentException("'description' at " + where + " must be a string");
            }
            description = desc.stringValue();
        }
        List<JsonNode> enumValues = new ArrayList<>();
        JsonNode en = node.get("enum");
        if (en != null) {
            if (!en.isArray() || en.isEmpty()) {
                throw new IllegalArgumentException("'enum' at " + where + " must be a non-empty array");
            }
            en.values().forEach(enumValues::add);
        }
        ParameterSchema items = null;
        JsonNode it = node.get("items");
        if (it != null) {
            if (type != ParameterType.ARRAY) {
                throw new IllegalArgumentException("'items' at " + where + " is only allowed for type array");
            }
            items = read(it, at + "/items");
        }
        Map<String, ParameterSchema> properties = new LinkedHashMap<>();
        JsonNode props = node.get("properties");
        if (props != null) {
            if (type != ParameterType.OBJECT || !props.isObject()) {
                throw new IllegalArgumentException("'properties' at " + where + " must be an object on type object");
            }
            for (Map.Entry<String, JsonNode> p : props.properties()) {
                properties.put(p.getKey(), read(p.getValue(), at + "/properties/" + ParamViolation.escape(p.getKey())));
            }
        }
        List<String> required = new ArrayList<>();
        JsonNode req = node.get("required");
        if (req != null) {
            if (type != ParameterType.OBJECT || !req.isArray()) {
                throw new IllegalArgumentException("'required' at " + where + " must be an array on type object");
            }
            for (JsonNode name : req.values()) {
                if (!name.isString()) {
                    throw new IllegalArgumentException("'required' at " + where + " must list property names");
                }
                required.add(name.stringValue());
            }
        }
        boolean additional = false;
        JsonNode add = node.get("additionalProperties");
        if (add != null) {
            if (add.isBoolean()) {
                additional = add.booleanValue();
            } else if (add.isObject() && add.isEmpty()) {
                additional = true; // {} accepts anything, the same as true
            } else {
                throw new IllegalArgumentException("'additionalProperties' at " + where
                        + " must be a boolean; schemas for additional properties are not supported");
            }
            if (type != ParameterType.OBJECT) {
                throw new IllegalArgumentException("'additionalProperties' at " + where + " needs type object");
            }
        }
        try {
            return new ParameterSchema(type, description, enumValues, items, properties, required, additional);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schema at " + where + ": " + e.getMessage(), e);
        }
    }

    private static ParameterType readType(JsonNode node, String where) {
        JsonNode type = node.get("type");
        if (type == null) {
            // a schema that only lists properties (or items) is unambiguous; anything else needs its type said
            if (node.has("properties")) {
                return ParameterType.OBJECT;
            }
            if (node.has("items")) {
                return ParameterType.ARRAY;
            }
            throw new IllegalArgumentException("schema at " + where + " has no 'type'");
        }
        if (!type.isString()) {
            throw new IllegalArgumentException("'type' at " + where + " must be a single type name; "
                    + "type lists (and so nullable types) are not supported");
        }
        return ParameterType.fromJsonName(type.stringValue()).orElseThrow(() -> new IllegalArgumentException(
                "unsupported type '" + type.stringValue() + "' at " + where
                        + "; supported: string, number, integer, boolean, array, object"));
    }

    /** This schema as a JSON Schema document, which {@link #fromJson} reads back to an equal schema. */
    public ObjectNode toJson() {
        ObjectNode out = Mappers.STRICT.createObjectNode();
        out.put("type", type.jsonName());
        if (!description.isEmpty()) {
            out.put("description", description);
        }
        if (!enumValues.isEmpty()) {
            ArrayNode en = out.putArray("enum");
            enumValues.forEach(v -> en.add(v.deepCopy()));
        }
        if (items != null) {
            out.set("items", items.toJson());
        }
        if (type == ParameterType.OBJECT) {
            ObjectNode props = out.putObject("properties");
            properties.forEach((name, schema) -> props.set(name, schema.toJson()));
            if (!required.isEmpty()) {
                ArrayNode req = out.putArray("required");
                required.forEach(req::add);
            }
            out.put("additionalProperties", additionalProperties);
        }
        return out;
    }
}
