package io.rewoo4j.config.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * A subcommand that takes Spring properties: {@code --rewoo.*}, {@code --server.*}, {@code --spring.*},
 * {@code --logging.*} and {@code --management.*} options written {@code --name=value}. Any other unknown option is
 * a usage error (exit 2).
 */
abstract class SpringPropertiesCommand {

    private static final List<String> PREFIXES = List.of("--rewoo.", "--server.", "--spring.", "--logging.", "--management.");

    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> unmatched = new ArrayList<>();

    /** The collected options as {@code --name=value} arguments for Spring, after checking each one. */
    List<String> springArguments() {
        for (String arg : unmatched) {
            if (PREFIXES.stream().noneMatch(arg::startsWith) || !arg.contains("=")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Unknown option: '" + arg + "' (Spring properties are written --rewoo.name=value)");
            }
        }
        return List.copyOf(unmatched);
    }
}
