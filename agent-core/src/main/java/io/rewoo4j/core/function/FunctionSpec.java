package io.rewoo4j.core.function;

import java.util.Objects;

import tools.jackson.databind.node.ObjectNode;

/**
 * What the model is told about a function: its name, what it does, and its parameters.
 *
 * @param name        what the model writes as {@code "function"}: non-empty, without whitespace or {@code :} (the
 *                    prompt lists it as {@code name:})
 * @param description one or two sentences saying what the function does (line breaks are folded in the prompt)
 * @param parameters  an {@link ParameterType#OBJECT object} schema whose properties are the function's parameters
 */
public record FunctionSpec(String name, String description, ParameterSchema parameters) {

    public FunctionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parameters, "parameters");
        if (name.isEmpty() || name.chars().anyMatch(c -> Character.isWhitespace(c) || c == ':')) {
            throw new IllegalArgumentException("a function name must be non-empty, without whitespace or ':': '"
                    + name + "'");
        }
        description = description == null ? "" : description.strip();
        if (parameters.type() != ParameterType.OBJECT) {
            throw new IllegalArgumentException("the parameters of '" + name + "' must be an object schema, not "
                    + parameters.type());
        }
    }

    /** A function that takes no parameters. */
    public static FunctionSpec withoutParameters(String name, String description) {
        return new FunctionSpec(name, description, ParameterSchema.object(""));
    }

    /** A function whose parameters are given as a JSON Schema document; see {@link ParameterSchema#parse}. */
    public static FunctionSpec of(String name, String description, String parametersJsonSchema) {
        return new FunctionSpec(name, description, ParameterSchema.parse(parametersJsonSchema));
    }

    /** {@code {"name", "description", "parameters"}}, the parameters as JSON Schema (for listings). */
    public ObjectNode toJson() {
        ObjectNode out = Mappers.STRICT.createObjectNode();
        out.put("name", name);
        out.put("description", description);
        out.set("parameters", parameters.toJson());
        return out;
    }
}
