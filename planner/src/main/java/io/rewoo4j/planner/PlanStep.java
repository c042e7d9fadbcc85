package io.rewoo4j.planner;

import java.util.List;
import java.util.Objects;

/**
 * One step of a plan: {@code :evidence1: = KnowledgeModel[Who won, given :evidence0:?]}.
 *
 * @param id        the variable's name in lower case without its {@code :}/{@code #} marks ({@code evidence1}, {@code e1})
 * @param variable  the variable token as written where it is defined ({@code :evidence1:}, {@code #E1})
 * @param tool      the tool name as written
 * @param input     the raw, unsubstituted text between the outermost brackets
 * @param dependsOn ids of the steps this input references, in order of first reference, each once
 * @param reasoning the {@code Plan:} text written before this step ({@code ""} when there was none)
 * @param line      the 1-based line number of the step's definition in the plan text
 */
public record PlanStep(String id, String variable, String tool, String input, List<String> dependsOn,
                       String reasoning, int line) {

    public PlanStep {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(input, "input");
        dependsOn = List.copyOf(dependsOn);
        reasoning = reasoning == null ? "" : reasoning;
    }
}
