package io.rewoo4j.config.cli;

import picocli.CommandLine;

/**
 * The {@code rewoo} command line. Commands that need no server (such as {@code plan parse}) run without starting
 * Spring or a web server; {@code serve} starts the application.
 */
public final class RewooMain {

    private RewooMain() {
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0 || !ServeCommand.started()) {
            System.exit(code);
        }
    }

    /** The configured command tree; exit codes: 0 ok, 2 bad input, 1 failure. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RewooCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("rewoo: " + e.getMessage());
            return ExitCodes.FAILURE;
        });
        return cli;
    }
}
