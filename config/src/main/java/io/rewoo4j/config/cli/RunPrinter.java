package io.rewoo4j.config.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.planner.PlanStep;

/**
 * A live, readable view of a run in a terminal: each step as it is planned, started, finished, failed or skipped,
 * then the answer. One line per event, so that it reads well when piped too.
 */
final class RunPrinter {

    private static final int PREVIEW = 100;

    private final PrintWriter out;

    RunPrinter(PrintWriter out) {
        this.out = out;
    }

    void print(RunEvent event) {
        if (event instanceof RunEvent.StepPlanned e) {
            PlanStep s = e.step();
            line("plan", s.id(), s.tool() + "[" + preview(s.input()) + "]");
        } else if (event instanceof RunEvent.StepStarted e) {
            line("start", e.stepId(), e.tool() + "[" + preview(e.input()) + "]");
        } else if (event instanceof RunEvent.StepSucceeded e) {
            line("done", e.stepId(), seconds(e.duration()) + (e.attempts() > 1 ? ", " + e.attempts() + " attempts" : "")
                    + ": " + preview(e.evidence().text()));
        } else if (event instanceof RunEvent.StepFailed e) {
            line("FAIL", e.stepId(), seconds(e.duration()) + ": " + e.error().message());
        } else if (event instanceof RunEvent.StepSkipped e) {
            line("skip", e.stepId(), e.reason().message());
        } else if (event instanceof RunEvent.RunFinished e) {
            finish(e.result());
        }
        out.flush();
    }

    private void finish(RunResult result) {
        out.println();
        if (result.answer() != null) {
            out.println("Answer: " + result.answer());
        }
        out.println("Run " + result.runId() + " " + result.status().name().toLowerCase(Locale.ROOT)
                + (result.duration() == null ? "" : " in " + seconds(result.duration()))
                + (result.error() == null ? "" : ": " + result.error().message()
                + (result.error().line() == null ? "" : " (line " + result.error().line() + ")")));
    }

    private void line(String what, String stepId, String text) {
        out.printf("%-5s %-11s %s%n", what, stepId, text);
    }

    private static String seconds(Duration d) {
        return d == null ? "?" : String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
    }

    private static String preview(String text) {
        String oneLine = text == null ? "" : text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= PREVIEW ? oneLine : oneLine.substring(0, PREVIEW - 1) + "\u2026";
    }
}
