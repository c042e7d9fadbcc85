package io.rewoo4j.core.function;

import java.util.Objects;
import java.util.function.Function;

import reactor.core.publisher.Mono;

/** An {@link AgentFunction} backed by a Java function; see {@link AgentFunction#of}. */
record ImplementedFunction(FunctionSpec spec, Function<FunctionParams, ? extends Mono<?>> implementation)
        implements AgentFunction {

    ImplementedFunction {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(implementation, "implementation");
    }

    @Override
    public Mono<?> invoke(FunctionParams params) {
        // defer keeps the call lazy and turns a throwing implementation into an error signal
        return Mono.defer(() -> implementation.apply(params));
    }
}
