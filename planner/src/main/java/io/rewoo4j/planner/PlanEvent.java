package io.rewoo4j.planner;

/** What the incremental parser emits: each step as soon as its line is complete, then the whole graph. */
public sealed interface PlanEvent {

    /** A step whose definition is complete and valid against the steps before it. */
    record StepParsed(PlanStep step) implements PlanEvent {
    }

    /** The end of the plan: the validated graph. Always the last event of a successful parse. */
    record Completed(PlanGraph graph) implements PlanEvent {
    }
}
