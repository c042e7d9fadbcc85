package io.rewoo4j.config.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;

import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import picocli.CommandLine.Command;

/** {@code rewoo tools}: the registered tools with their descriptions. */
@Command(name = "tools", mixinStandardHelpOptions = true, description = "List the registered tools.")
final class ToolsCommand extends SpringPropertiesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ConfigurableApplicationContext context = CliContext.start(springArguments())) {
            for (Tool tool : context.getBean(ToolRegistry.class).tools()) {
                out.println(tool.name());
                out.println("    " + tool.description());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
