package io.rewoo4j.config.json;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.run.StepResult;

/**
 * A run as the REST API and {@code --json} render it: the answer and status, the plan graph (in the plan graph JSON
 * shape), every step with its substituted input, output, sources, status, error and timings. Statuses are lower
 * case ({@code succeeded}); durations are milliseconds.
 */
public record RunResultView(String runId, String question, String status, String answer, String answerSource,
                            PlanGraphView plan, String planText, List<StepView> steps, RunErrorView error,
                            Instant startedAt, Instant finishedAt, Long durationMs) {

    /** A step of the run. */
    public record StepView(String id, String variable, String tool, String input, String status, String output,
                           List<SourceView> sources, StepErrorView error, int attempts, Instant startedAt,
                           Instant finishedAt, Long durationMs) {

        public static StepView of(StepResult s) {
            return new StepView(s.id(), s.variable(), s.tool(), s.input(), lower(s.status()), s.output(),
                    s.sources().stream().map(SourceView::of).toList(), StepErrorView.of(s.error()), s.attempts(),
                    s.startedAt(), s.finishedAt(), millis(s.duration()));
        }
    }

    /** Where evidence came from. */
    public record SourceView(String url, String title, Instant retrievedAt) {

        public static SourceView of(Source s) {
            return new SourceView(s.url(), s.title(), s.retrievedAt());
        }
    }

    /** Why a step failed or was skipped; {@code blockedBy} names the failed step a skipped one waited for. */
    public record StepErrorView(String kind, String message, String blockedBy) {

        public static StepErrorView of(StepError e) {
            return e == null ? null : new StepErrorView(lower(e.kind()), e.message(), e.blockedBy());
        }
    }

    /** Why the run did not succeed; {@code line} for plan errors. */
    public record RunErrorView(String code, String message, Integer line) {

        public static RunErrorView of(RunError e) {
            return e == null ? null : new RunErrorView(e.code(), e.message(), e.line());
        }
    }

    public static RunResultView of(RunResult r) {
        return new RunResultView(r.runId(), r.question(), lower(r.status()), r.answer(), lower(r.answerSource()),
                r.plan() == null ? null : PlanGraphView.of(r.plan()), r.planText(),
                r.steps().stream().map(StepView::of).toList(), RunErrorView.of(r.error()), r.startedAt(),
                r.finishedAt(), millis(r.duration()));
    }

    static String lower(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }

    static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }
}
