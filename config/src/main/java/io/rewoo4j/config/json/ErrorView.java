package io.rewoo4j.config.json;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.rewoo4j.planner.PlanError;

/**
 * The command line's error document: {@code {"error": {"message": ..., "line": N, ...}}}. {@code line},
 * {@code code} and {@code text} are present for plan errors only.
 */
public record ErrorView(Detail error) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(String message, Integer line, String code, String text) {
    }

    public static ErrorView of(PlanError error) {
        return new ErrorView(new Detail(error.message(), error.line(), error.code(), error.lineText()));
    }

    public static ErrorView of(String message) {
        return new ErrorView(new Detail(message, null, null, null));
    }
}
