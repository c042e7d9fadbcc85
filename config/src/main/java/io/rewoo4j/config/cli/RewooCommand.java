package io.rewoo4j.config.cli;

import picocli.CommandLine.Command;

/** {@code rewoo}: the top of the command tree. */
@Command(name = "rewoo", mixinStandardHelpOptions = true, version = "rewoo4j 0.1.0-SNAPSHOT",
        description = "Plan-first agents: parse and run ReWOO plans, serve the REST API.",
        subcommands = {PlanCommand.class, AskCommand.class, ToolsCommand.class, ToolCommand.class, ModelCommand.class,
                ServeCommand.class},
        footer = {"", "Options that start with --rewoo. (and --server., --spring., --logging.) after a subcommand are "
                + "Spring properties, e.g. --rewoo.tools.http.allow-private-addresses=true.",
                "Exit codes: 0 ok, 2 bad input, 1 failure."},
        exitCodeOnInvalidInput = ExitCodes.BAD_INPUT)
public final class RewooCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
