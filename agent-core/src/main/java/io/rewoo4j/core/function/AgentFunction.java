package io.rewoo4j.core.function;

import java.util.Objects;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A function the model may call: its {@link FunctionSpec} (what the prompt shows and params are validated against)
 * and its implementation.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #invoke(FunctionParams)} is called only with params that passed validation against
 *       {@link #spec()}{@code .parameters()}.</li>
 *   <li>It is <em>lazy</em>: nothing happens until the returned {@link Mono} is subscribed.</li>
 *   <li>It emits the result, a value a JSON mapper can write (a string, number, boolean, map, list, record,
 *       {@code JsonNode}), or completes empty for "no result" (the dispatch result's {@code result} is then
 *       {@code null}), or signals an error, which the dispatcher reports as
 *       {@link DispatchException.FunctionFailed}.</li>
 *   <li>It must not block the subscribing thread; blocking work belongs on
 *       {@code subscribeOn(Schedulers.boundedElastic())}, see {@link #blocking}.</li>
 * </ul>
 * Implementations must be thread-safe.
 */
public interface AgentFunction {

    /** The name, description and parameters. */
    FunctionSpec spec();

    /** A lazy invocation with validated params; see the class contract. */
    Mono<?> invoke(FunctionParams params);

    /** {@code spec().name()}. */
    default String name() {
        return spec().name();
    }

    /** A function from a reactive implementation. A throwing implementation becomes an error signal. */
    static AgentFunction of(FunctionSpec spec, Function<FunctionParams, ? extends Mono<?>> implementation) {
        return new ImplementedFunction(spec, implementation);
    }

    /**
     * A function from a blocking implementation: each invocation runs on {@link Schedulers#boundedElastic()}. A
     * {@code null} return means "no result".
     */
    static AgentFunction blocking(FunctionSpec spec, Function<FunctionParams, ?> implementation) {
        Objects.requireNonNull(implementation, "implementation");
        return new ImplementedFunction(spec, params -> Mono.fromCallable(() -> implementation.apply(params))
                .subscribeOn(Schedulers.boundedElastic()));
    }

    /** Starts a function called {@code name}: add a description and parameters, then give the implementation. */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Builds a function step by step:
     * <pre>{@code
     * AgentFunction weather = AgentFunction.builder("get_weather")
     *         .description("The current weather in a city.")
     *         .required("location", ParameterSchema.string("The city, e.g. Paris."))
     *         .optional("unit", ParameterSchema.string("The temperature unit.").withEnum("celsius", "fahrenheit"))
     *         .reactive(params -> weatherClient.current(params.string("location")));
     * }</pre>
     */
    final class Builder {

        private final String name;
        private String description = "";
        private ParameterSchema parameters = ParameterSchema.object("");

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder description(String text) {
            this.description = Objects.requireNonNull(text, "text");
            return this;
        }

        /** Replaces the parameters with an object schema. */
        public Builder parameters(ParameterSchema schema) {
            this.parameters = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /** Replaces the parameters with a JSON Schema document; see {@link ParameterSchema#parse}. */
        public Builder parameters(String jsonSchema) {
            return parameters(ParameterSchema.parse(jsonSchema));
        }

        /** Adds a parameter that must be given. */
        public Builder required(String param, ParameterSchema schema) {
            parameters = parameters.withRequired(param, schema);
            return this;
        }

        /** Adds a parameter that may be left out. */
        public Builder optional(String param, ParameterSchema schema) {
            parameters = parameters.withOptional(param, schema);
            return this;
        }

        /** The spec built so far. */
        public FunctionSpec spec() {
            return new FunctionSpec(name, description, parameters);
        }

        /** The function, with a reactive implementation; see {@link AgentFunction#of}. */
        public AgentFunction reactive(Function<FunctionParams, ? extends Mono<?>> implementation) {
            return AgentFunction.of(spec(), implementation);
        }

        /** The function, with a blocking implementation; see {@link AgentFunction#blocking}. */
        public AgentFunction blocking(Function<FunctionParams, ?> implementation) {
            return AgentFunction.blocking(spec(), implementation);
        }
    }
}
