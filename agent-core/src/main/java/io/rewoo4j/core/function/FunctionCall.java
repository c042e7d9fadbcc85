package io.rewoo4j.core.function;

import java.util.Map;
import java.util.Objects;

import tools.jackson.databind.JsonNode;

/**
 * A call as the model (or a client) wrote it, before it is checked: the function's name and the params. The params
 * are kept as written, so that validation can report a non-object ({@code "params": "Paris"}) precisely.
 *
 * @param function the name as written, stripped of surrounding whitespace; not yet looked up
 * @param params   the params as written; an empty object when none were given
 */
public record FunctionCall(String function, JsonNode params) {

    public FunctionCall {
        Objects.requireNonNull(function, "function");
        function = function.strip();
        params = params == null || params.isNull() || params.isMissingNode()
                ? Mappers.STRICT.createObjectNode() : params.deepCopy();
    }

    /** A call with params given as a map of JSON-like values. */
    public static FunctionCall of(String function, Map<String, ?> params) {
        return new FunctionCall(function, Mappers.STRICT.valueToTree(params));
    }

    /**
     * Reads a call object: {@code {"function": NAME, "params": {...}}}, with the aliases that
     * {@link FunctionCallExtractor} accepts.
     *
     * @throws DispatchException.NoFunctionCall if it is not a call object
     */
    public static FunctionCall fromJson(JsonNode callObject) {
        FunctionCallExtractor.Reading reading = FunctionCallExtractor.read(callObject);
        if (reading.call() != null) {
            return reading.call();
        }
        throw new DispatchException.NoFunctionCall(reading.problem() != null ? reading.problem()
                : "expected an object with a \"function\" name and \"params\", got " + Mappers.describe(callObject),
                null);
    }
}
