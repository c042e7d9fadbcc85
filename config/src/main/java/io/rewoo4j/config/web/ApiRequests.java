package io.rewoo4j.config.web;

/** The JSON bodies the REST API accepts. */
final class ApiRequests {

    private ApiRequests() {
    }

    /** {@code POST /api/v1/plans/parse}. */
    record ParsePlan(String plan) {
    }

    /** {@code POST /api/v1/plans/execute}: a written plan, and optionally the question it answers (for the solver). */
    record ExecutePlan(String plan, String question) {
    }

    /** {@code POST /api/v1/runs}. */
    record Ask(String question) {
    }
}
