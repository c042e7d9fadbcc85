package io.rewoo4j.config.json;

import java.util.List;

import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanStep;

/**
 * The plan graph as the CLI and the REST API render it (the public "plan graph JSON" contract). Kept apart from
 * the planner's records so that the contract does not change when they do.
 */
public record PlanGraphView(List<Step> steps, String answer, List<String> answerDependsOn) {

    /** One step: {@code id}, {@code variable}, {@code tool}, {@code input}, {@code dependsOn}, {@code reasoning}, {@code line}. */
    public record Step(String id, String variable, String tool, String input, List<String> dependsOn,
                       String reasoning, int line) {

        static Step of(PlanStep s) {
            return new Step(s.id(), s.variable(), s.tool(), s.input(), s.dependsOn(), s.reasoning(), s.line());
        }
    }

    public static PlanGraphView of(PlanGraph graph) {
        return new PlanGraphView(graph.steps().stream().map(Step::of).toList(), graph.answer(), graph.answerDependsOn());
    }
}
