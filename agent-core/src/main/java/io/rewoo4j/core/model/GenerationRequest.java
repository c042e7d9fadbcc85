package io.rewoo4j.core.model;

import java.util.Objects;

/**
 * A completion request: the fully formatted prompt (already wrapped in the model's prompt format) and how to sample.
 */
public record GenerationRequest(String prompt, GenerationOptions options) {

    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(options, "options");
    }

    public static GenerationRequest of(String prompt) {
        return new GenerationRequest(prompt, GenerationOptions.defaults());
    }
}
