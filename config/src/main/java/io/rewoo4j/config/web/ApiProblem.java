package io.rewoo4j.config.web;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

import io.rewoo4j.planner.PlanError;

/**
 * A request the API refuses, as an RFC 9457 problem: a type URI naming the kind, a title, the detail, and extra
 * members where they help (a plan error's {@code line}, {@code code} and {@code text}).
 */
final class ApiProblem extends ErrorResponseException {

    private static final long serialVersionUID = 1L;
    static final String TYPE_BASE = "https://rewoo4j.io/problems/";

    private ApiProblem(HttpStatus status, ProblemDetail body) {
        super(status, body, null);
    }

    static ApiProblem of(HttpStatus status, String type, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(URI.create(TYPE_BASE + type));
        body.setTitle(title);
        return new ApiProblem(status, body);
    }

    static ApiProblem badRequest(String detail) {
        return of(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", detail);
    }

    static ApiProblem tooLarge(String detail) {
        return of(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Request too large", detail);
    }

    static ApiProblem invalidPlan(PlanError error) {
        ApiProblem problem = of(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-plan", "Invalid plan", error.message());
        problem.getBody().setProperty("line", error.line());
        problem.getBody().setProperty("code", error.code());
        problem.getBody().setProperty("text", error.lineText());
        return problem;
    }

    static ApiProblem modelUnavailable(String detail) {
        return of(HttpStatus.SERVICE_UNAVAILABLE, "model-unavailable", "No model available", detail);
    }
}
