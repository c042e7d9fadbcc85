package io.rewoo4j.config.model;

import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import reactor.core.publisher.Flux;

/** Stands in for the model until one is configured: every call fails with the reason and what to set. */
final class UnavailableLanguageModel implements LanguageModel {

    private final String reason;

    UnavailableLanguageModel(String reason) {
        this.reason = reason;
    }

    @Override
    public Flux<String> generate(GenerationRequest request) {
        return Flux.error(() -> new ModelUnavailableException(reason));
    }
}
