package io.rewoo4j.core.function;

/**
 * A call that passed lookup and validation, the only thing a {@link FunctionDispatcher} invokes: holding one is the
 * proof that the function exists and the params fit its schema. Made only by {@link FunctionDispatcher#validate}.
 */
public final class ValidatedCall {

    private final AgentFunction function;
    private final FunctionParams params;

    ValidatedCall(AgentFunction function, FunctionParams params) {
        this.function = function;
        this.params = params;
    }

    /** The registered function the call resolved to. */
    public AgentFunction function() {
        return function;
    }

    /** The validated params. */
    public FunctionParams params() {
        return params;
    }

    @Override
    public String toString() {
        return function.name() + params;
    }
}
