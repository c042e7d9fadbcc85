package io.rewoo4j.planner;

final class ForwardReferences {
    static PlanParseException refine(PlanParseException e, String text) {
        return e;
    }
}
