package io.rewoo4j.config.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.rewoo4j.config.json.ErrorView;
import io.rewoo4j.config.json.Json;
import io.rewoo4j.config.json.PlanGraphView;
import io.rewoo4j.planner.PlanParseException;
import io.rewoo4j.planner.PlanParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rewoo plan parse [FILE|-]}: prints the plan graph JSON, or the error with its line (exit 2). */
@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Parse a plan and print its graph as JSON.",
                "A bad plan prints {\"error\": {\"message\": ..., \"line\": N}} and exits with 2."})
final class PlanParseCommand extends SpringPropertiesCommand implements Callable<Integer> {

    /** Plans larger than this are refused rather than read into memory. */
    static final long MAX_PLAN_BYTES = 4L * 1024 * 1024;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|-", description = "The plan file; '-' or none reads standard input.")
    String file;

    @Override
    public Integer call() {
        springArguments();
        PrintWriter out = spec.commandLine().getOut();
        String text;
        try {
            text = read();
        } catch (NoSuchFileException e) {
            out.println(Json.write(ErrorView.of("cannot read the plan: no such file: " + e.getFile())));
            out.flush();
            return ExitCodes.BAD_INPUT;
        } catch (IOException | IllegalArgumentException e) {
            out.println(Json.write(ErrorView.of("cannot read the plan: " + e)));
            out.flush();
            return ExitCodes.BAD_INPUT;
        }
        try {
            out.println(Json.write(PlanGraphView.of(new PlanParser().parse(text))));
            out.flush();
            return ExitCodes.OK;
        } catch (PlanParseException e) {
            out.println(Json.write(ErrorView.of(e.error())));
            out.flush();
            return ExitCodes.BAD_INPUT;
        }
    }

    private String read() throws IOException {
        if (file == null || file.equals("-")) {
            try (InputStream in = System.in) {
                byte[] bytes = in.readNBytes((int) MAX_PLAN_BYTES + 1);
                return decode(bytes, "standard input");
            }
        }
        Path path = Path.of(file);
        if (Files.isRegularFile(path) && Files.size(path) > MAX_PLAN_BYTES) {
            throw new IllegalArgumentException(file + " is larger than " + MAX_PLAN_BYTES + " bytes");
        }
        return decode(Files.readAllBytes(path), file);
    }

    private static String decode(byte[] bytes, String source) {
        if (bytes.length > MAX_PLAN_BYTES) {
            throw new IllegalArgumentException(source + " is larger than " + MAX_PLAN_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
