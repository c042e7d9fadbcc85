package io.rewoo4j.core.testing;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import reactor.core.publisher.Flux;

/** A fake of the external model: each completion replays the next scripted chunk stream, and requests are recorded. */
public final class ScriptedModel implements LanguageModel {

    private final Queue<Flux<String>> scripts = new ConcurrentLinkedQueue<>();
    private final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();

    /** Queues a completion given as chunks. */
    public ScriptedModel then(String... chunks) {
        scripts.add(Flux.fromArray(chunks));
        return this;
    }

    /** Queues a completion given as a stream (for a test that pushes chunks itself, or a failing model). */
    public ScriptedModel then(Flux<String> chunks) {
        scripts.add(chunks);
        return this;
    }

    @Override
    public Flux<String> generate(GenerationRequest request) {
        return Flux.defer(() -> {
            requests.add(request);
            Flux<String> next = scripts.poll();
            return next != null ? next : Flux.error(new AssertionError("no completion scripted for: " + request));
        });
    }

    public List<GenerationRequest> requests() {
        return requests;
    }
}
