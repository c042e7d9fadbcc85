package io.rewoo4j.config.cli;

import picocli.CommandLine.Command;

/** {@code rewoo plan}: work with written plans. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Parse or run a written ReWOO plan.",
        subcommands = {PlanParseCommand.class, PlanRunCommand.class})
final class PlanCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
