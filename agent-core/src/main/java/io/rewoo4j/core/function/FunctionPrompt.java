package io.rewoo4j.core.function;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.rewoo4j.planner.prompt.PromptFormat;

/**
 * The function-selection prompt the served models were trained on (the cards' "Agent/function calling" example),
 * reproduced line for line:
 * <pre>
 * As an AI assistant, please select the most suitable function and parameters from the list of available functions
 * below, based on the user's input. Provide your response in JSON format.   (one line)
 *
 * Input: I want to know how many times 'Python' is mentioned in my text file.
 *
 * Available functions:
 * file_analytics:
 *   description: This tool performs various operations on a text file.
 *   params:
 *     action: The operation we want to perform on the data, such as "count_occurrences", "find_line", etc.
 *     filters:
 *       keyword: The word or phrase we want to search for.
 * </pre>
 * Each function is {@code name:}, then {@code description:} and {@code params:} indented two spaces, each parameter
 * {@code name: description} two spaces further. A nested object is its bare key with its properties indented below
 * it, as {@code filters:} above (the format has no place for an object's own description). What the format cannot
 * show is added in the description's own words: allowed values as {@code (one of: "a", "b")}, and for an array of
 * objects, the item properties indented below the array's line. Types and requiredness are not shown; the seeds'
 * listing has none, and validation reports them when the model gets them wrong. A function without parameters has
 * no {@code params:} line. Functions follow one another in registration order.
 */
public final class FunctionPrompt {

    /** What the instruction asks the model to answer in; the served models were trained on both. */
    public enum AnswerFormat {
        JSON, YAML
    }

    private static final String INSTRUCTION = "As an AI assistant, please select the most suitable function and "
            + "parameters from the list of available functions below, based on the user's input. Provide your "
            + "response in %s format.";

    private static final String INDENT = "  ";

    private FunctionPrompt() {
    }

    /** The unwrapped instruction asking for a JSON answer. */
    public static String instruction(String input, List<FunctionSpec> functions) {
        return instruction(input, functions, AnswerFormat.JSON);
    }

    /** The unwrapped instruction: the request, the user's input, the available functions. */
    public static String instruction(String input, List<FunctionSpec> functions, AnswerFormat answerFormat) {
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("a function call needs at least one function to choose from");
        }
        StringBuilder out = new StringBuilder()
                .append(INSTRUCTION.formatted(answerFormat.name())).append("\n\n")
                .append("Input: ").append(input.strip()).append("\n\n")
                .append("Available functions:");
        for (FunctionSpec function : functions) {
            out.append('\n').append(function.name()).append(':');
            out.append('\n').append(INDENT).append("description: ").append(oneLine(function.description()));
            if (!function.parameters().properties().isEmpty()) {
                out.append('\n').append(INDENT).append("params:");
                appendProperties(out, function.parameters().properties(), INDENT.repeat(2));
            }
        }
        return out.toString();
    }

    /** The full prompt in the model's format. */
    public static String render(PromptFormat format, String input, List<FunctionSpec> functions,
                                AnswerFormat answerFormat) {
        return format.wrap(null, instruction(input, functions, answerFormat));
    }

    /** Stop sequences for a selection completion: the format's, plus the start of a new input. */
    public static List<String> stopSequences(PromptFormat format) {
        List<String> stops = new ArrayList<>(format.stopSequences());
        stops.add("\nInput:");
        return List.copyOf(stops);
    }

    private static void appendProperties(StringBuilder out, Map<String, ParameterSchema> properties, String indent) {
        properties.forEach((name, schema) -> {
            out.append('\n').append(indent).append(name).append(':');
            ParameterSchema nested = nestedObject(schema);
            if (schema.type() == ParameterType.OBJECT && nested != null) {
                // the seeds' form: a bare key, its properties below it
                appendProperties(out, nested.properties(), indent + INDENT);
                return;
            }
            out.append(' ').append(leafText(schema));
            if (nested != null) {
                appendProperties(out, nested.properties(), indent + INDENT);
            }
        });
    }

    /** The object whose properties are listed under a parameter: its own, or its items' for an array. */
    private static ParameterSchema nestedObject(ParameterSchema schema) {
        ParameterSchema object = schema.type() == ParameterType.ARRAY ? schema.items() : schema;
        return object != null && object.type() == ParameterType.OBJECT && !object.properties().isEmpty()
                ? object : null;
    }

    private static String leafText(ParameterSchema schema) {
        String text = schema.description().isEmpty() ? schema.type().jsonName() : oneLine(schema.description());
        if (!schema.enumValues().isEmpty()) {
            text += " (one of: " + schema.enumValues().stream().map(Object::toString)
                    .collect(Collectors.joining(", ")) + ")";
        }
        return text;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
