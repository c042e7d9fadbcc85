package io.rewoo4j.planner;

import java.util.List;

/** A push parser for one plan (stub). */
public final class IncrementalPlanParser {
    IncrementalPlanParser(PlanParserOptions options) {
    }

    public List<PlanEvent.StepParsed> feed(CharSequence chunk) {
        throw new UnsupportedOperationException("stub");
    }

    public PlanGraph finish() {
        throw new UnsupportedOperationException("stub");
    }
}
