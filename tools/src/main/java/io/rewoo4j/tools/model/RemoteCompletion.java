package io.rewoo4j.tools.model;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The pipeline both remote clients share: attempts, retries before the first text, the stop-sequence cut. */
final class RemoteCompletion {

    private static final JsonMapper JSON = JsonMapper.shared();

    private RemoteCompletion() {
    }

    /**
     * Runs {@code attempt} (one HTTP request emitting non-empty text chunks), retried by {@code backoff} only while it
     * has emitted nothing, and cuts the text before the first of {@code stopSequences}.
     */
    static Flux<String> stream(Supplier<Flux<String>> attempt, RetryBackoff backoff, List<String> stopSequences) {
        Flux<String> texts = Flux.defer(() -> {
            AtomicBoolean emitted = new AtomicBoolean();
            return Flux.defer(attempt)
                    .doOnNext(text -> emitted.set(true))
                    .retryWhen(backoff.retryUntil(emitted::get));
        });
        return StopSequenceCutter.cut(texts, stopSequences);
    }

    /**
     * The events of an event-stream body. A line too long to be an event becomes a {@link MalformedResponseException}.
     */
    static Flux<SseEvent> events(Flux<byte[]> body, URI url) {
        return Flux.defer(() -> {
            SseDecoder decoder = new SseDecoder();
            return body.concatMapIterable(chunk -> {
                try {
                    return decoder.feed(chunk);
                } catch (IllegalStateException e) {
                    throw new MalformedResponseException(url, e.getMessage(), e);
                }
            }).concatWith(Flux.defer(() -> Flux.fromIterable(decoder.finish())));
        });
    }

    /** The first {@code max} non-empty stop sequences, the most a server accepts; the rest are cut client-side. */
    static List<String> serverStopSequences(List<String> stops, int max) {
        return stops.stream().filter(s -> !s.isEmpty()).distinct().limit(max).toList();
    }

    /**
     * The JSON of a streamed event, or null when there is none to act on: an empty event is skipped; an event that
     * is not JSON, or that reports an error (an {@code error} event or member), ends {@code sink} with the error.
     */
    static JsonNode eventJson(SseEvent event, URI url, SynchronousSink<?> sink) {
        String data = event.data().strip();
        if (data.isEmpty()) {
            return null;
        }
        JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (JacksonException e) {
            sink.error(event.type().equals("error")
                    ? ModelErrorMapper.forStatus(url, 500, data, null, Clock.systemUTC())
                    : new MalformedResponseException(url, "event is not JSON: " + quote(data), e));
            return null;
        }
        if (chunk.has("error") || event.type().equals("error")) {
            sink.error(ModelErrorMapper.forStreamError(url, chunk));
            return null;
        }
        return chunk;
    }

    /** At most 200 characters of {@code text}, for error messages that quote what the server sent. */
    static String quote(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
