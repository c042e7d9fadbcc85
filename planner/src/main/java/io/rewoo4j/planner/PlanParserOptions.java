package io.rewoo4j.planner;

import java.util.Set;

/**
 * Limits and the tool set a parser validates against.
 *
 * @param knownTools    tool names a step may call; empty means any tool is accepted. Matched case-sensitively first,
 *                      then case-insensitively (the step keeps the registered spelling)
 * @param maxSteps      the most steps a plan may have
 * @param maxLineLength the longest line (or multi-line step) accepted, in characters
 */
public record PlanParserOptions(Set<String> knownTools, int maxSteps, int maxLineLength) {

    public static final int DEFAULT_MAX_STEPS = 1_000;
    public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

    public PlanParserOptions {
        knownTools = Set.copyOf(knownTools);
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be positive: " + maxSteps);
        }
        if (maxLineLength < 16) {
            throw new IllegalArgumentException("maxLineLength must be at least 16: " + maxLineLength);
        }
    }

    /** No tool validation, default limits. */
    public static PlanParserOptions defaults() {
        return new PlanParserOptions(Set.of(), DEFAULT_MAX_STEPS, DEFAULT_MAX_LINE_LENGTH);
    }

    /** Default limits, validating tool names against the given set. */
    public static PlanParserOptions withTools(Set<String> knownTools) {
        return new PlanParserOptions(knownTools, DEFAULT_MAX_STEPS, DEFAULT_MAX_LINE_LENGTH);
    }
}
