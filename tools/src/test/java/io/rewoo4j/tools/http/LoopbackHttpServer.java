package io.rewoo4j.tools.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP server on 127.0.0.1 (an ephemeral port) for tests: every request is recorded, then answered by a
 * handler function. Replies may stream their body, so tests can serve endless or slow bodies.
 */
public final class LoopbackHttpServer implements AutoCloseable {

    /** A request as the server saw it. */
    public record Recorded(String method, String path, Map<String, String> headers, String body) {

        /** The header's value (names are matched ignoring case), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The body decoded as an {@code application/x-www-form-urlencoded} form, in order. */
        public List<Map.Entry<String, String>> form() {
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            if (body.isEmpty()) {
                return fields;
            }
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                fields.add(Map.entry(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8)));
            }
            return fields;
        }

        /** The form as a map (last value wins). */
        public Map<String, String> formMap() {
            Map<String, String> map = new LinkedHashMap<>();
            form().forEach(e -> map.put(e.getKey(), e.getValue()));
            return map;
        }
    }

    /** What to answer. */
    public record Reply(int status, Map<String, String> headers, Flux<byte[]> body) {

        public static Reply of(int status, String contentType, byte[] body) {
            Map<String, String> headers = new LinkedHashMap<>();
            if (contentType != null) {
                headers.put("Content-Type", contentType);
            }
            headers.put("Content-Length", Integer.toString(body.length));
            return new Reply(status, headers, Flux.just(body));
        }

        public static Reply html(String html) {
            return of(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        }

        public static Reply text(int status, String contentType, String text) {
            return of(status, contentType, text.getBytes(StandardCharsets.UTF_8));
        }

        public static Reply status(int status) {
            return of(status, "text/html; charset=utf-8", ("<html><body>" + status + "</body></html>")
                    .getBytes(StandardCharsets.UTF_8));
        }

        public static Reply redirect(int status, String location) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Location", location);
            headers.put("Content-Length", "0");
            return new Reply(status, headers, Flux.empty());
        }

        /** A chunked body streamed from {@code chunks}. */
        public static Reply streamed(String contentType, Flux<byte[]> chunks) {
            return new Reply(200, Map.of("Content-Type", contentType), chunks);
        }
    }

    private final DisposableServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    private LoopbackHttpServer(Function<Recorded, Mono<Reply>> handler, Http11SslContextSpec tls) {
        HttpServer base = HttpServer.create();
        if (tls != null) {
            base = base.secure(spec -> spec.sslContext((reactor.netty.tcp.SslProvider.GenericSslContextSpec<?>) tls));
        }
        this.server = base
                .host("127.0.0.1")
                .port(0)
                .handle((request, response) -> request.receive().aggregate().asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .flatMap(body -> {
                            Map<String, String> headers = new LinkedHashMap<>();
                            request.requestHeaders().forEach(e ->
                                    headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
                            Recorded recorded = new Recorded(request.method().name(), request.uri(), headers, body);
                            requests.add(recorded);
                            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            return handler.apply(recorded).doFinally(s -> inFlight.decrementAndGet());
                        })
                        .flatMap(reply -> {
                            response.status(HttpResponseStatus.valueOf(reply.status()));
                            reply.headers().forEach(response::header);
                            return response.send(reply.body().map(Unpooled::wrappedBuffer)).then();
                        }))
                .bindNow();
    }

    /** Starts a server answering every request with {@code handler}'s reply. */
    public static LoopbackHttpServer start(Function<Recorded, Reply> handler) {
        return new LoopbackHttpServer(r -> Mono.fromSupplier(() -> handler.apply(r)), null);
    }

    /** Starts an HTTPS server presenting {@code certificate}. */
    public static LoopbackHttpServer startTls(Function<Recorded, Reply> handler, PrivateKey key,
                                              X509Certificate certificate) {
        return new LoopbackHttpServer(r -> Mono.fromSupplier(() -> handler.apply(r)),
                Http11SslContextSpec.forServer(key, certificate));
    }

    /** Starts a server whose handler answers asynchronously (to hold a reply back). */
    public static LoopbackHttpServer startAsync(Function<Recorded, Mono<Reply>> handler) {
        return new LoopbackHttpServer(handler, null);
    }

    public int port() {
        return server.port();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    public HttpUrl httpUrl(String path) {
        return HttpUrl.parse(url(path));
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The most requests that were being handled at the same time. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
