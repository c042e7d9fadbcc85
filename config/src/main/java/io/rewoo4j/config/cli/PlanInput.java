package io.rewoo4j.config.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.rewoo4j.config.json.ErrorView;
import io.rewoo4j.config.json.Json;
import io.rewoo4j.planner.PlanError;

/** Reads a plan from a file or standard input, within a size limit. */
final class PlanInput {

    /** Plans larger than this are refused rather than read into memory. */
    static final long MAX_PLAN_BYTES = 4L * 1024 * 1024;

    private PlanInput() {
    }

    /** The plan text of {@code file}, or of standard input when it is null or {@code -}. */
    static String read(String file) throws IOException {
        if (file == null || file.equals("-")) {
            InputStream in = System.in;
            return decode(in.readNBytes((int) MAX_PLAN_BYTES + 1), "standard input");
        }
        Path path = Path.of(file);
        if (Files.isRegularFile(path) && Files.size(path) > MAX_PLAN_BYTES) {
            throw new IllegalArgumentException(file + " is larger than " + MAX_PLAN_BYTES + " bytes");
        }
        return decode(Files.readAllBytes(path), file);
    }

    /**
     * The plan text, or null after printing the error document to {@code out} when it cannot be read (then the
     * command exits with {@link ExitCodes#BAD_INPUT}).
     */
    static String readOrReport(String file, PrintWriter out) {
        try {
            return read(file);
        } catch (NoSuchFileException e) {
            report(out, ErrorView.of("cannot read the plan: no such file: " + e.getFile()));
        } catch (IOException | IllegalArgumentException e) {
            report(out, ErrorView.of("cannot read the plan: " + e));
        }
        return null;
    }

    /** Prints the error document of a bad plan and returns the bad-input exit code. */
    static int report(PrintWriter out, PlanError error) {
        return report(out, ErrorView.of(error));
    }

    private static int report(PrintWriter out, ErrorView error) {
        out.println(Json.write(error));
        out.flush();
        return ExitCodes.BAD_INPUT;
    }

    private static String decode(byte[] bytes, String source) {
        if (bytes.length > MAX_PLAN_BYTES) {
            throw new IllegalArgumentException(source + " is larger than " + MAX_PLAN_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
