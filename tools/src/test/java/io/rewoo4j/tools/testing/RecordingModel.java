package io.rewoo4j.tools.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import reactor.core.publisher.Flux;

/** A stand-in for an external model: records each request and answers every one with the same chunks. */
public final class RecordingModel implements LanguageModel {

    public final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> answer;

    public RecordingModel(String... answer) {
        this.answer = List.of(answer);
    }

    @Override
    public Flux<String> generate(GenerationRequest request) {
        return Flux.defer(() -> {
            requests.add(request);
            return Flux.fromIterable(answer);
        });
    }
}
