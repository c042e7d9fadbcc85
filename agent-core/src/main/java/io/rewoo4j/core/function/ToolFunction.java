package io.rewoo4j.core.function;

import java.util.Objects;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRequest;
import reactor.core.publisher.Mono;

/**
 * A {@link Tool} offered as a function. Its result is the text of the tool's {@link Evidence}.
 *
 * <ul>
 *   <li>A free-text tool (no {@link Tool#inputSchema()}) takes one required string parameter,
 *       {@value #INPUT}, passed to the tool as its input.</li>
 *   <li>A tool with an input schema takes the parameters that schema declares; the tool receives the validated
 *       params as compact JSON text, which is what a structured tool parses its input string as.</li>
 * </ul>
 * The call is made outside any plan ({@link ToolRequest#DIRECT}), with no evidence.
 */
public final class ToolFunction implements AgentFunction {

    /** The parameter of a free-text tool. */
    public static final String INPUT = "input";

    private final Tool tool;
    private final FunctionSpec spec;
    private final boolean structured;

    private ToolFunction(Tool tool) {
        this.tool = Objects.requireNonNull(tool, "tool");
        this.structured = tool.inputSchema().isPresent();
        ParameterSchema parameters;
        try {
            parameters = tool.inputSchema().map(ParameterSchema::parse)
                    .orElseGet(() -> ParameterSchema.object("")
                            .withRequired(INPUT, ParameterSchema.string("The input text for the tool.")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the input schema of tool '" + tool.name() + "': " + e.getMessage(), e);
        }
        this.spec = new FunctionSpec(tool.name(), tool.description(), parameters);
    }

    public static ToolFunction of(Tool tool) {
        return new ToolFunction(tool);
    }

    public Tool tool() {
        return tool;
    }

    @Override
    public FunctionSpec spec() {
        return spec;
    }

    @Override
    public Mono<String> invoke(FunctionParams params) {
        return Mono.defer(() -> {
            String input = structured ? params.toString() : params.string(INPUT);
            return tool.execute(ToolRequest.of(input));
        }).map(Evidence::text)
                // the Tool contract makes an empty completion a failure, not "no result"
                .switchIfEmpty(Mono.error(() -> new IllegalStateException(
                        "tool '" + tool.name() + "' completed without evidence")));
    }

    @Override
    public String toString() {
        return "ToolFunction[" + tool.name() + "]";
    }
}
