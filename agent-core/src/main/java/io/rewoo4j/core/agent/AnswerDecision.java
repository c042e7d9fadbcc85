package io.rewoo4j.core.agent;

import java.util.List;
import java.util.Map;

import io.rewoo4j.core.run.AnswerSource;
import io.rewoo4j.planner.EvidenceReferences;
import io.rewoo4j.planner.PlanGraph;

/**
 * How a run's answer follows from its plan's {@code Answer:} line and the evidence gathered, decided without calling
 * anything: a single reference is that step's output, a template gets its references filled in, and free text (or no
 * answer) goes to the solver when one is available, else is used as written.
 */
sealed interface AnswerDecision {

    /** The answer is known. */
    record Resolved(String answer, AnswerSource source) implements AnswerDecision {
    }

    /** The answer cannot be produced; {@code reason} says why. */
    record Unresolved(String reason) implements AnswerDecision {
    }

    /** The solver must write the answer. */
    record Solve() implements AnswerDecision {
    }

    static AnswerDecision decide(PlanGraph plan, Map<String, String> outputsById, boolean solverAvailable) {
        if (!plan.answerWritten() && solverAvailable) {
            // The plan wrote no Answer: line; the last step is only a guess, the solver sees all the evidence.
            return new Solve();
        }
        List<String> references = plan.answerDependsOn();
        if (!references.isEmpty()) {
            for (String id : references) {
                if (!outputsById.containsKey(id)) {
                    return new Unresolved("the answer needs " + id + ", which did not succeed");
                }
            }
            if (plan.answerIsSingleReference()) {
                return new Resolved(outputsById.get(references.get(0)), AnswerSource.REFERENCE);
            }
            String filled = EvidenceReferences.substitute(plan.answer(),
                    id -> references.contains(id) ? outputsById.get(id) : null);
            return new Resolved(filled.strip(), AnswerSource.TEMPLATE);
        }
        if (solverAvailable) {
            return new Solve();
        }
        String literal = plan.answer().strip();
        return literal.isEmpty() ? new Unresolved("the plan has no answer and no solver is configured")
                : new Resolved(literal, AnswerSource.LITERAL);
    }
}
