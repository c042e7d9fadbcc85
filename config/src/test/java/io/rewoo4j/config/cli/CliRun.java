package io.rewoo4j.config.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs the {@code rewoo} command tree in-process, capturing standard output and error. */
final class CliRun {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cli = RewooMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** Standard output read as JSON. */
    JsonNode json() {
        return JsonMapper.builder().build().readTree(out.toString());
    }
}
