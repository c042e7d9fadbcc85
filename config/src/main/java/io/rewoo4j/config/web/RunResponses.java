package io.rewoo4j.config.web;

import org.springframework.http.codec.ServerSentEvent;

import io.rewoo4j.config.json.RunEventView;
import io.rewoo4j.config.json.RunResultView;
import io.rewoo4j.core.event.RunEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A run's events as the two response forms: the final result JSON, or Server-Sent Events as they happen. */
final class RunResponses {

    private RunResponses() {
    }

    static Mono<RunResultView> result(Flux<RunEvent> events) {
        return events.ofType(RunEvent.RunFinished.class).last().map(e -> RunResultView.of(e.result()));
    }

    /**
     * One SSE event per run event, named by its type, with a sequence id. The client going away cancels the
     * subscription and with it the run (tool calls in flight are cancelled).
     */
    static Flux<ServerSentEvent<RunEventView>> events(Flux<RunEvent> events) {
        return events.map(RunEventView::of).index().map(indexed -> ServerSentEvent.<RunEventView>builder()
                .id(Long.toString(indexed.getT1()))
                .event(indexed.getT2().type())
                .data(indexed.getT2())
                .build());
    }
}
