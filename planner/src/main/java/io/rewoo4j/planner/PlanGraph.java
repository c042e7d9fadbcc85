package io.rewoo4j.planner;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated plan: steps in plan order, each depending only on earlier steps, and the answer expression.
 *
 * <p>Because every reference points to an earlier step, plan order is a topological order of the graph.
 *
 * @param steps           the steps in plan order
 * @param answer          the text after {@code Answer:}, unsubstituted; the last step's variable when the plan had none
 * @param answerDependsOn ids referenced by {@link #answer()}, in order of first reference
 * @param answerWritten   whether the plan wrote an {@code Answer:}; when it did not, {@link #answer()} is the last
 *                        step's variable, and a solver (when configured) may write the answer instead
 */
public record PlanGraph(List<PlanStep> steps, String answer, List<String> answerDependsOn, boolean answerWritten) {

    public PlanGraph {
        steps = List.copyOf(steps);
        Objects.requireNonNull(answer, "answer");
        answerDependsOn = List.copyOf(answerDependsOn);
    }

    /** A graph whose answer was written by the plan. */
    public PlanGraph(List<PlanStep> steps, String answer, List<String> answerDependsOn) {
        this(steps, answer, answerDependsOn, true);
    }

    /** The step with this id, if any. */
    public Optional<PlanStep> step(String id) {
        for (PlanStep s : steps) {
            if (s.id().equals(id)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** For each step id, the ids of the steps that depend on it directly, in plan order. */
    public Map<String, List<String>> dependants() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (PlanStep s : steps) {
            out.put(s.id(), new ArrayList<>());
        }
        for (PlanStep s : steps) {
            for (String d : s.dependsOn()) {
                out.get(d).add(s.id());
            }
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Whether the answer is exactly one reference (possibly with surrounding whitespace), so that the answer is that
     * step's output rather than a text to fill in or to hand to a solver.
     */
    public boolean answerIsSingleReference() {
        return answerDependsOn.size() == 1 && EvidenceReferences.isSingleReference(answer);
    }
}
