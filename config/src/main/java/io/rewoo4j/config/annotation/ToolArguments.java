package io.rewoo4j.config.annotation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.rewoo4j.config.annotation.ToolMethod.PropertySlot;
import io.rewoo4j.config.annotation.ToolMethod.RequestSlot;
import io.rewoo4j.config.annotation.ToolMethod.Slot;
import io.rewoo4j.config.annotation.ToolMethod.TextSlot;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.planner.EvidenceReferences;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Turns a {@link ToolRequest} into the arguments of a {@link ToolMethod}.
 *
 * <p>A JSON input is read leniently, because a model writes it: single quotes, unquoted property names, trailing
 * commas and raw line breaks inside strings are accepted; duplicate properties and trailing text are not. When the
 * plan put evidence references inside JSON strings ({@code {"text": ":evidence0:"}}), the evidence is substituted
 * into the parsed strings, so that quotes or line breaks in the evidence cannot break the JSON. A tool with one
 * parameter also accepts the bare value ({@code Square[3]}, {@code Paint[red]}). Every problem with the input is
 * reported at once, as a bad-input {@link ToolException}.
 */
final class ToolArguments {

    private static final JsonMapper READER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_PROPERTY_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ToolArguments() {
    }

    /**
     * The method's arguments for the request.
     *
     * @throws ToolException (bad input) when the input does not fit the parameters
     */
    static Object[] of(ToolMethod method, ToolRequest request) {
        List<Slot> slots = method.slots();
        Object[] args = new Object[slots.size()];
        ObjectNode json = method.shape() == ToolMethod.InputShape.JSON_OBJECT ? readObject(method, request) : null;
        List<String> problems = new ArrayList<>();
        if (json != null) {
            for (String property : json.propertyNames()) {
                if (method.properties().stream().noneMatch(p -> p.name().equals(property))) {
                    problems.add("unknown parameter '" + property + "'");
                }
            }
        }
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            if (slot instanceof RequestSlot) {
                args[i] = request;
            } else if (slot instanceof TextSlot) {
                args[i] = request.input();
            } else if (slot instanceof PropertySlot p) {
                JsonNode value = json.get(p.name());
                if (value == null || value.isNull()) {
                    if (p.required()) {
                        problems.add("missing required parameter '" + p.name() + "' (" + p.type().shortForm() + ")");
                    }
                    continue;
                }
                try {
                    args[i] = p.type().convert(value);
                } catch (ArgumentType.InvalidArgumentException e) {
                    problems.add("parameter '" + p.name() + "' must be " + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw badInput(method, String.join("; ", problems));
        }
        return args;
    }

    private static ObjectNode readObject(ToolMethod method, ToolRequest request) {
        String input = request.input();
        if (input.isBlank()) {
            return READER.createObjectNode();
        }
        JsonNode root;
        try {
            root = read(request);
        } catch (JacksonException e) {
            if (method.properties().size() == 1) {
                root = StringNode.valueOf(input.strip());
            } else {
                throw badInput(method, "the input is not JSON: " + e.getOriginalMessage()
                        + (e.getLocation() != null && e.getLocation().getColumnNr() > 0
                        ? " (at column " + e.getLocation().getColumnNr() + ")" : ""));
            }
        }
        if (root.isObject()) {
            return (ObjectNode) root;
        }
        if (method.properties().size() == 1) {
            ObjectNode wrapped = READER.createObjectNode();
            wrapped.set(method.properties().get(0).name(), root);
            return wrapped;
        }
        throw badInput(method, "the input is " + ArgumentType.excerpt(root) + ", not a JSON object");
    }

    /** The input as JSON: the plan's template with evidence substituted into its strings when possible. */
    private static JsonNode read(ToolRequest request) {
        if (!request.evidence().isEmpty() && !request.template().equals(request.input())) {
            try {
                JsonNode template = READER.readTree(request.template());
                Map<String, Evidence> evidence = request.evidence();
                return substitute(template, id -> evidence.get(id) == null ? null : evidence.get(id).text());
            } catch (JacksonException e) {
                // a reference outside a string ({"n": :evidence0:}) only reads as JSON once substituted
            }
        }
        return READER.readTree(request.input());
    }

    private static JsonNode substitute(JsonNode node, Function<String, String> valueOfId) {
        if (node.isString()) {
            return StringNode.valueOf(EvidenceReferences.substitute(node.stringValue(), valueOfId));
        }
        if (node instanceof ObjectNode object) {
            for (String property : List.copyOf(object.propertyNames())) {
                object.set(property, substitute(object.get(property), valueOfId));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, substitute(array.get(i), valueOfId));
            }
        }
        return node;
    }

    private static ToolException badInput(ToolMethod method, String problem) {
        return ToolException.badInput(method.name() + " expects a JSON object " + method.jsonShape() + "; " + problem);
    }
}
