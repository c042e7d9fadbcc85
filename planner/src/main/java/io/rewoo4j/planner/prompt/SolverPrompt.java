package io.rewoo4j.planner.prompt;

import java.util.Map;

import io.rewoo4j.planner.PlanGraph;

/**
 * The ReWOO Solver: given the plan and the evidence each step produced, answer the question. Used when a plan's
 * {@code Answer:} is free text or absent and a solver is configured.
 */
public final class SolverPrompt {

    /**
     * The unwrapped solver instruction.
     *
     * @param evidenceById each step's output text by step id; steps without output (failed, skipped) are shown as such
     */
    public static String instruction(String question, PlanGraph plan, Map<String, String> evidenceById) {
        throw new UnsupportedOperationException("stub");
    }

    /** The full prompt in the given format. */
    public static String render(PromptFormat format, String question, PlanGraph plan, Map<String, String> evidenceById) {
        return format.wrap(null, instruction(question, plan, evidenceById));
    }

    private SolverPrompt() {
    }
}
