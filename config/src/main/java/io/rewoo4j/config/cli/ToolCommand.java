package io.rewoo4j.config.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.core.tool.ToolRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rewoo tool run NAME INPUT}: runs one tool (with its configured timeout and retries) and prints its output. */
@Command(name = "tool", mixinStandardHelpOptions = true, description = "Run one tool.",
        subcommands = ToolCommand.Run.class)
final class ToolCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a tool on an input and print its output text.",
                    "Exit codes: 0 ok, 2 unknown tool, 1 the tool failed (the error on standard error)."})
    static final class Run extends SpringPropertiesCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME", description = "The tool, as `rewoo tools` lists it.")
        String name;

        @Parameters(index = "1", paramLabel = "INPUT", description = "The tool's input, as a plan would write it between the brackets.")
        String input;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (ConfigurableApplicationContext context = CliContext.start(springArguments())) {
                ToolRegistry tools = context.getBean(ToolRegistry.class);
                Tool tool = tools.find(name).orElse(null);
                if (tool == null) {
                    err.println("rewoo: unknown tool '" + name + "' (known: " + String.join(", ", tools.names()) + ")");
                    err.flush();
                    return ExitCodes.BAD_INPUT;
                }
                PlanExecutor executor = context.getBean(PlanExecutor.class);
                try {
                    Evidence evidence = executor.resilience().call(tool, ToolRequest.of(input)).block();
                    out.println(evidence == null ? "" : evidence.text());
                    out.flush();
                    return ExitCodes.OK;
                } catch (RuntimeException e) {
                    err.println("rewoo: " + tool.name() + " failed: " + CliContext.reason(e));
                    err.flush();
                    return ExitCodes.FAILURE;
                }
            }
        }
    }
}
