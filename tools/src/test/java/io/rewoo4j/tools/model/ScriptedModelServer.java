package io.rewoo4j.tools.model;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP server on loopback that answers each request with the next scripted {@link Reply} and records what it
 * received, including when the connection of each request closed.
 */
final class ScriptedModelServer implements AutoCloseable {

    /** How the server answers one request. */
    @FunctionalInterface
    interface Reply {

        Publisher<Void> send(HttpServerResponse response);

        /** 200 {@code text/event-stream}, each piece written and flushed on its own, then the end of the response. */
        static Reply events(byte[]... pieces) {
            return response -> streamed(response, Flux.fromArray(pieces));
        }

        /** Like {@link #events} but the response never ends: the server stalls after the last piece. */
        static Reply eventsThenStall(byte[]... pieces) {
            return response -> streamed(response, Flux.concat(Flux.fromArray(pieces), Flux.never()));
        }

        /** A complete response with {@code status} and {@code body}; {@code headers} are name, value pairs. */
        static Reply status(int status, String contentType, String body, String... headers) {
            return response -> {
                response.status(status).header("Content-Type", contentType);
                for (int i = 0; i < headers.length; i += 2) {
                    response.header(headers[i], headers[i + 1]);
                }
                return response.sendString(Mono.just(body));
            };
        }

        static Reply json(int status, String body, String... headers) {
            return status(status, "application/json", body, headers);
        }

        /** Never sends a status line. */
        static Reply silence() {
            return response -> Mono.never();
        }

        private static Publisher<Void> streamed(HttpServerResponse response, Flux<byte[]> pieces) {
            return response.status(200)
                    .header("Content-Type", "text/event-stream")
                    .send(pieces.map(Unpooled::wrappedBuffer), buffer -> true);
        }
    }

    /** One request as the server saw it. */
    record Recorded(String method, String path, Map<String, String> headers, String body, CountDownLatch closed) {

        JsonNode json() {
            return JsonMapper.shared().readTree(body);
        }

        /** The header's value (names are case-insensitive), or null. */
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Waits for the request's connection to close; true if it did within {@code limit}. */
        boolean awaitClosed(Duration limit) throws InterruptedException {
            return closed.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean isClosed() {
            return closed.getCount() == 0;
        }
    }

    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final DisposableServer server;

    ScriptedModelServer() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((request, response) -> {
                    CountDownLatch closed = new CountDownLatch(1);
                    request.withConnection(connection -> connection.onDispose(closed::countDown));
                    Map<String, String> headers = new LinkedHashMap<>();
                    request.requestHeaders().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT),
                            h.getValue()));
                    return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                            .flatMap(body -> {
                                requests.add(new Recorded(request.method().name(), request.uri(), headers, body,
                                        closed));
                                Reply reply = replies.poll();
                                if (reply == null) {
                                    reply = Reply.json(500, "{\"error\": \"no scripted reply\"}");
                                }
                                return Mono.from(reply.send(response));
                            });
                })
                .bindNow();
    }

    ScriptedModelServer enqueue(Reply... more) {
        replies.addAll(Arrays.asList(more));
        return this;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    List<Recorded> requests() {
        return new ArrayList<>(requests);
    }

    Recorded request(int index) {
        return requests.get(index);
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code bytes} cut into pieces of {@code size} bytes (the last may be shorter). */
    static byte[][] piecesOf(byte[] bytes, int size) {
        byte[][] pieces = new byte[(bytes.length + size - 1) / size][];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = Arrays.copyOfRange(bytes, i * size, Math.min(bytes.length, (i + 1) * size));
        }
        return pieces;
    }
}
