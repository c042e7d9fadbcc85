package io.rewoo4j.tools.model;

import java.net.URI;
import java.time.Clock;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the event stream of one OpenAI completion: {@code data: {"choices": [{"text": ...}]}} (completions) or
 * {@code data: {"choices": [{"delta": {"content": ...}}]}} (chat), ending with {@code data: [DONE]}. An event with an
 * {@code error} member (vLLM and OpenAI report failures mid-stream that way) fails the stream. A stream that ends
 * without {@code [DONE]} and without a {@code finish_reason} was cut off and fails as malformed.
 */
final class OpenAiStreamReader {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final URI url;
    private final OpenAiMode mode;
    private boolean finishReasonSeen;

    private OpenAiStreamReader(URI url, OpenAiMode mode) {
        this.url = url;
        this.mode = mode;
    }

    /** The non-empty text chunks of the event stream {@code body}. */
    static Flux<String> texts(Flux<byte[]> body, URI url, OpenAiMode mode) {
        return Flux.defer(() -> {
            OpenAiStreamReader reader = new OpenAiStreamReader(url, mode);
            return RemoteCompletion.events(body, url)
                    .<String>handle(reader::onEvent)
                    .concatWith(Mono.defer(reader::onEnd));
        });
    }

    private void onEvent(SseEvent event, SynchronousSink<String> sink) {
        if (event.data().strip().equals("[DONE]")) {
            finishReasonSeen = true;
            sink.complete();
            return;
        }
        JsonNode chunk = RemoteCompletion.eventJson(event, url, sink);
        if (chunk == null) {
            return;
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (!choice.isObject()) {
            return; // e.g. a usage-only chunk
        }
        JsonNode text = mode == OpenAiMode.COMPLETIONS ? choice.path("text") : choice.path("delta").path("content");
        if (text.isString() && !text.asString().isEmpty()) {
            sink.next(text.asString());
        }
        if (choice.path("finish_reason").isString()) {
            finishReasonSeen = true;
        }
    }

    private Mono<String> onEnd() {
        return finishReasonSeen ? Mono.empty() : Mono.error(new MalformedResponseException(url,
                "the event stream ended before [DONE]: not an OpenAI-compatible stream, or the response was cut off",
                null));
    }
}
