package io.rewoo4j.core.function;

import java.util.Objects;

import tools.jackson.databind.JsonNode;

/**
 * A function call that ran: what the dispatch endpoint returns as {@code {"function", "params", "result"}}.
 *
 * @param function the function's registered name (which the call may have spelled in another case)
 * @param params   the validated params, as the function received them
 * @param result   what the function emitted, to be written by a JSON mapper; {@code null} when it emitted nothing
 */
public record DispatchResult(String function, JsonNode params, Object result) {

    public DispatchResult {
        Objects.requireNonNull(function, "function");
        params = Objects.requireNonNull(params, "params").deepCopy();
    }
}
