package io.rewoo4j.planner.prompt;

import java.util.Map;

import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanStep;

/**
 * The ReWOO Solver (Xu et al. 2023, section 3): the plan, each step's evidence beneath it, and the question, so the
 * model writes the answer from what was observed. Used when a plan's {@code Answer:} is free text or absent and a
 * solver is configured.
 */
public final class SolverPrompt {

    /** The most characters of one step's evidence shown to the solver; longer evidence is cut with a marker. */
    public static final int DEFAULT_MAX_EVIDENCE_CHARS = 4_000;

    private SolverPrompt() {
    }

    /**
     * The unwrapped solver instruction.
     *
     * @param evidenceById each step's output text by step id; a step without an entry (failed, skipped) is shown as
     *                     having no evidence
     */
    public static String instruction(String question, PlanGraph plan, Map<String, String> evidenceById) {
        return instruction(question, plan, evidenceById, DEFAULT_MAX_EVIDENCE_CHARS);
    }

    public static String instruction(String question, PlanGraph plan, Map<String, String> evidenceById,
                                     int maxEvidenceChars) {
        StringBuilder out = new StringBuilder();
        out.append("Answer the question below. A plan was made to answer it and its steps were carried out; each ")
                .append("step is shown with the evidence it produced. Evidence can be incomplete or wrong, so use ")
                .append("it with judgement. Reply with the answer alone.\n\n");
        for (PlanStep step : plan.steps()) {
            if (!step.reasoning().isEmpty()) {
                out.append("Plan: ").append(step.reasoning()).append('\n');
            }
            out.append(step.variable()).append(" = ").append(step.tool()).append('[').append(step.input()).append("]\n");
            String evidence = evidenceById.get(step.id());
            out.append("Evidence: ").append(evidence == null ? "(none: this step did not complete)"
                    : cut(evidence.strip(), maxEvidenceChars)).append("\n\n");
        }
        if (!plan.answerIsSingleReference()) {
            out.append("The plan's own answer was: ").append(plan.answer()).append("\n\n");
        }
        return out.append("Question: ").append(question.strip()).toString();
    }

    /** The full prompt in the given format. */
    public static String render(PromptFormat format, String question, PlanGraph plan, Map<String, String> evidenceById) {
        return format.wrap(null, instruction(question, plan, evidenceById));
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + " [...]";
    }
}
