package io.rewoo4j.core.function;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;

/**
 * Checks params against a function's {@link ParameterSchema}, collecting <em>every</em> violation (so one answer to
 * the model or client can name them all), each with its JSON-pointer path from the call object.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Types are JSON types, never coerced: {@code "3"} is not an integer, {@code "true"} not a boolean.
 *       {@code integer} accepts numbers without a fractional part ({@code 3.0}), as JSON Schema does.</li>
 *   <li>{@code enum}: the value must equal one of the listed values (numbers compare by value: {@code 1} equals
 *       {@code 1.0}). Checked only when the type is right, so each value gets one violation.</li>
 *   <li>Required properties must be present and not {@code null}. A {@code null} optional property counts as left
 *       out (models write {@code "unit": null} for "no preference").</li>
 *   <li>Undeclared properties are violations unless the object schema allows additional properties, which are then
 *       not checked.</li>
 *   <li>Arrays: every item is checked against {@code items}, the path naming its index.</li>
 * </ul>
 */
public final class ParameterValidator {

    /** The path of the params within a call object; every violation path starts with it. */
    public static final String ROOT = "/params";

    private ParameterValidator() {
    }

    /** Every violation of {@code schema} by {@code params}, in schema order; empty when the params are valid. */
    public static List<ParamViolation> validate(ParameterSchema schema, JsonNode params) {
        List<ParamViolation> out = new ArrayList<>();
        check(schema, params, ROOT, out);
        return List.copyOf(out);
    }

    private static void check(ParameterSchema schema, JsonNode value, String path, List<ParamViolation> out) {
        if (!schema.type().accepts(value)) {
            out.add(new ParamViolation(path, ParamViolation.Rule.WRONG_TYPE, schema.type().jsonName(),
                    Mappers.describe(value)));
            return;
        }
        if (!schema.enumValues().isEmpty() && schema.enumValues().stream().noneMatch(e -> sameValue(e, value))) {
            out.add(new ParamViolation(path, ParamViolation.Rule.NOT_IN_ENUM, "one of " + schema.enumValues().stream()
                    .map(JsonNode::toString).collect(Collectors.joining(", ")), Mappers.describe(value)));
            return;
        }
        switch (schema.type()) {
            case ARRAY -> {
                if (schema.items() != null) {
                    for (int i = 0; i < value.size(); i++) {
                        check(schema.items(), value.get(i), path + "/" + i, out);
                    }
                }
            }
            case OBJECT -> checkObject(schema, value, path, out);
            default -> {
            }
        }
    }

    private static void checkObject(ParameterSchema schema, JsonNode object, String path, List<ParamViolation> out) {
        for (Map.Entry<String, ParameterSchema> property : schema.properties().entrySet()) {
            String name = property.getKey();
            String at = path + "/" + ParamViolation.escape(name);
            JsonNode value = object.get(name);
            if (value == null || value.isNull()) {
                if (schema.isRequired(name)) {
                    out.add(new ParamViolation(at, ParamViolation.Rule.MISSING_REQUIRED,
                            property.getValue().type().jsonName(), Mappers.describe(value)));
                }
                continue;
            }
            check(property.getValue(), value, at, out);
        }
        if (!schema.additionalProperties()) {
            for (Map.Entry<String, JsonNode> given : object.properties()) {
                if (!schema.properties().containsKey(given.getKey())) {
                    String known = schema.properties().isEmpty() ? "this object takes no properties"
                            : "declared: " + String.join(", ", schema.properties().keySet());
                    out.add(new ParamViolation(path + "/" + ParamViolation.escape(given.getKey()),
                            ParamViolation.Rule.UNKNOWN_PROPERTY, known, Mappers.describe(given.getValue())));
                }
            }
        }
    }

    private static boolean sameValue(JsonNode allowed, JsonNode value) {
        if (allowed.isNumber() && value.isNumber()) {
            return allowed.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        return allowed.equals(value);
    }
}
