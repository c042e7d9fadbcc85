package io.rewoo4j.tools.model;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Clock;
import java.nio.charset.StandardCharsets;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads TGI's answers: the {@code /generate_stream} event stream, one
 * {@code {"token": {"text", "special"}, "generated_text", "details"}} per token, where the last event carries
 * {@code generated_text}; and the {@code /generate} JSON {@code {"generated_text"}}. Special tokens ({@code </s>})
 * are skipped; an event with an {@code error} member ({@code {"error", "error_type"}}) fails the stream.
 */
final class TgiResponseReader {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final URI url;
    private boolean finished;

    private TgiResponseReader(URI url) {
        this.url = url;
    }

    /** The non-empty token texts of a {@code /generate_stream} body. */
    static Flux<String> streamedTexts(Flux<byte[]> body, URI url) {
        return Flux.defer(() -> {
            TgiResponseReader reader = new TgiResponseReader(url);
            return RemoteCompletion.events(body, url)
                    .<String>handle(reader::onEvent)
                    .concatWith(Mono.defer(reader::onEnd));
        });
    }

    /** The generated text of a {@code /generate} body, as one chunk (none if empty). */
    static Mono<String> generatedText(Flux<byte[]> body, URI url) {
        return body.collect(ByteArrayOutputStream::new, ByteArrayOutputStream::writeBytes)
                .<String>handle((bytes, sink) -> {
                    String text = bytes.toString(StandardCharsets.UTF_8);
                    JsonNode root;
                    try {
                        root = JSON.readTree(text);
                    } catch (JacksonException e) {
                        sink.error(new MalformedResponseException(url, "response is not JSON: "
                                + RemoteCompletion.quote(text), e));
                        return;
                    }
                    // The Inference API wraps the answer in an array; TGI's /generate does not.
                    JsonNode answer = root.isArray() ? root.path(0) : root;
                    if (answer.has("error")) {
                        sink.error(ModelErrorMapper.forStreamError(url, answer));
                    } else if (answer.path("generated_text").isString()) {
                        String generated = answer.path("generated_text").asString();
                        if (!generated.isEmpty()) {
                            sink.next(generated);
                        }
                    } else {
                        sink.error(new MalformedResponseException(url, "response has no generated_text: "
                                + RemoteCompletion.quote(text), null));
                    }
                });
    }

    private void onEvent(SseEvent event, SynchronousSink<String> sink) {
        JsonNode chunk = RemoteCompletion.eventJson(event, url, sink);
        if (chunk == null) {
            return;
        }
        JsonNode token = chunk.path("token");
        if (!token.isObject() && !chunk.has("generated_text")) {
            sink.error(new MalformedResponseException(url, "event has no token: " + RemoteCompletion.quote(event.data().strip()),
                    null));
            return;
        }
        JsonNode text = token.path("text");
        if (!token.path("special").asBoolean(false) && text.isString() && !text.asString().isEmpty()) {
            sink.next(text.asString());
        }
        if (chunk.path("generated_text").isString()) {
            finished = true;
            sink.complete();
        }
    }

    private Mono<String> onEnd() {
        return finished ? Mono.empty() : Mono.error(new MalformedResponseException(url,
                "the event stream ended before the final event (the one with generated_text): the response was cut "
                        + "off", null));
    }
}
