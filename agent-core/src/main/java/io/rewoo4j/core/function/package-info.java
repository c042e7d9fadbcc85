/**
 * JSON function-calling dispatch, in the format the served models were trained on (the cards' "Agent/function
 * calling" section): the prompt lists the {@link io.rewoo4j.core.function.FunctionSpec functions} and the user's
 * input, the model answers a JSON (or YAML) object naming {@code function} and {@code params}, and
 * {@link io.rewoo4j.core.function.FunctionDispatcher} extracts that object, validates the params against the
 * function's schema and invokes it. Unknown functions, invalid params and answers with no call are rejected before
 * anything is invoked ({@link io.rewoo4j.core.function.DispatchException}).
 */
package io.rewoo4j.core.function;
