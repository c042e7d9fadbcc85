package io.rewoo4j.config.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a Spring bean a {@link io.rewoo4j.core.tool.Tool} that plans can call. Every such method of every
 * bean is registered as a {@code Tool} bean (named {@code rewooTool.<name>}), so it joins the agent's
 * {@link io.rewoo4j.core.tool.ToolRegistry} with the built-in tools.
 *
 * <h2>Input</h2>
 * <ul>
 *   <li>One {@code String} parameter: it receives the plan step's input text as is ({@code Translate[hello]}), and
 *       the tool has no input schema (free text).</li>
 *   <li>No parameters: the input is ignored.</li>
 *   <li>Otherwise the input is a JSON object with one property per parameter
 *       ({@code Convert[{"amount": 12.5, "to": "EUR"}]}), and the tool's input schema describes it. Parameter types:
 *       {@code String}, {@code boolean}, {@code int}, {@code long}, {@code short}, {@code byte}, {@code BigInteger},
 *       {@code double}, {@code float}, {@code BigDecimal} (primitive or boxed), enums, and {@code List}s of these.
 *       See {@link ToolParam} for names, descriptions and optional parameters.</li>
 *   <li>A parameter of type {@link io.rewoo4j.core.tool.ToolRequest} receives the whole request (run and step ids,
 *       the evidence the input referenced, with its sources) and is not part of the input.</li>
 * </ul>
 *
 * <h2>Output</h2>
 * {@code String} (or any {@code CharSequence}) becomes the evidence text; {@link io.rewoo4j.core.evidence.Evidence}
 * is used as is (to name sources); any other object is written as JSON. A {@code Mono} of any of these makes the tool
 * reactive: the method is then called on the subscribing thread and must not block. Any other method is blocking and
 * runs on {@code Schedulers.boundedElastic()}. {@code null} or an empty {@code Mono} is a step without evidence.
 *
 * <h2>Errors</h2>
 * An exception thrown by the method (or signalled by its {@code Mono}) fails the step with its message. A
 * {@link io.rewoo4j.core.tool.ToolException} keeps its {@code retryable} flag; an {@link IllegalArgumentException}
 * is taken as bad input (not retried, not counted by the circuit breaker); anything else may be retried per the
 * tool's policy. Input that does not fit the parameters fails as bad input, naming each problem.
 *
 * <p>A method that cannot be a tool (an unsupported parameter or return type, a bad name, a duplicate name) fails
 * the application's startup with the reason.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RewooTool {

    /**
     * The name plans call the tool by: letters, digits, {@code _}, {@code .} and {@code -}, starting with a letter or
     * {@code _}, unique ignoring case. Empty for the method's name with its first letter in upper case
     * ({@code currencyRate} gives {@code CurrencyRate}).
     */
    String name() default "";

    /**
     * What the tool does, shown to the planning model; one or two sentences saying what it returns. The planner also
     * sees a line describing the input, generated from the parameters.
     */
    String description();
}
