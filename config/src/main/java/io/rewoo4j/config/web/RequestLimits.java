package io.rewoo4j.config.web;

import io.rewoo4j.config.agent.AgentProperties;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParseException;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.PlanParserOptions;

/** Checks a request's plan and question against the configured limits, and parses plans with them. */
final class RequestLimits {

    private final ServerProperties server;
    private final PlanParser strictParser;
    private final PlanParser anyToolParser;

    RequestLimits(ServerProperties server, AgentProperties agent, ToolRegistry tools) {
        this.server = server;
        this.strictParser = new PlanParser(new PlanParserOptions(tools.names(), agent.maxSteps(), agent.maxLineLength()));
        this.anyToolParser = new PlanParser(new PlanParserOptions(java.util.Set.of(), agent.maxSteps(), agent.maxLineLength()));
    }

    /** Parses a plan to run: every tool must be registered. */
    PlanGraph runnablePlan(String plan) {
        return parse(strictParser, plan);
    }

    /** Parses a plan to show: any tool name is accepted. */
    PlanGraph anyPlan(String plan) {
        return parse(anyToolParser, plan);
    }

    String question(String question, boolean required) {
        if (question == null || question.isBlank()) {
            if (required) {
                throw ApiProblem.badRequest("'question' is required");
            }
            return null;
        }
        if (question.length() > server.maxQuestionLength()) {
            throw ApiProblem.tooLarge("'question' is " + question.length() + " characters; the limit is "
                    + server.maxQuestionLength() + " (rewoo.server.max-question-length)");
        }
        return question.strip();
    }

    private PlanGraph parse(PlanParser parser, String plan) {
        if (plan == null || plan.isBlank()) {
            throw ApiProblem.badRequest("'plan' is required");
        }
        if (plan.length() > server.maxPlanLength()) {
            throw ApiProblem.tooLarge("'plan' is " + plan.length() + " characters; the limit is "
                    + server.maxPlanLength() + " (rewoo.server.max-plan-length)");
        }
        try {
            return parser.parse(plan);
        } catch (PlanParseException e) {
            throw ApiProblem.invalidPlan(e.error());
        }
    }
}
