package io.rewoo4j.core.tool;

import java.util.Objects;
import java.util.function.Function;

import io.rewoo4j.core.evidence.Evidence;
import reactor.core.publisher.Mono;

/** A {@link Tool} backed by a function; see {@link Tool#of}. */
record FunctionTool(String name, String description, Function<ToolRequest, Mono<Evidence>> function) implements Tool {

    FunctionTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(function, "function");
    }

    @Override
    public Mono<Evidence> execute(ToolRequest request) {
        // defer keeps the call lazy and turns a throwing function into an error signal
        return Mono.defer(() -> function.apply(request));
    }
}
