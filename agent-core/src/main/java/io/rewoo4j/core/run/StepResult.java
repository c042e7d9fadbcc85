package io.rewoo4j.core.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;

/**
 * One step of a run as it ended (or stands).
 *
 * @param id         the step id ({@code evidence1})
 * @param variable   the variable as the plan wrote it ({@code :evidence1:})
 * @param tool       the tool name as the plan wrote it
 * @param input      the input after substitution, as the tool received it; {@code null} if the step never started
 * @param status     where the step stands
 * @param output     the evidence text; {@code null} unless {@link StepStatus#SUCCEEDED}
 * @param sources    the evidence's sources; empty unless succeeded
 * @param error      why it failed or was skipped; {@code null} otherwise
 * @param attempts   tool calls made (retries included); {@code 0} if never started
 * @param startedAt  when the first attempt started; {@code null} if never started
 * @param finishedAt when the step reached its final status; {@code null} while not final
 * @param duration   from start to finish; {@code null} unless both are known
 */
public record StepResult(String id, String variable, String tool, String input, StepStatus status, String output,
                         List<Source> sources, StepError error, int attempts, Instant startedAt, Instant finishedAt,
                         Duration duration) {

    public StepResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    /** The step's evidence, if it succeeded. */
    public Evidence evidence() {
        return output == null ? null : new Evidence(output, sources);
    }
}
