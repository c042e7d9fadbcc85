package io.rewoo4j.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Everything the application reaches during an end-to-end test, on one loopback HTTP server:
 * <ul>
 *   <li>{@code /html/}: a DuckDuckGo stand-in answering with a saved result page;</li>
 *   <li>{@code /pages/foo-fighters}: an article for the scraper;</li>
 *   <li>{@code /v1/completions}: a stand-in for an OpenAI-compatible model server (the external model), speaking the
 *       real protocol — a streamed completion over Server-Sent Events. It answers a planning prompt with
 *       {@link #plan()} in small chunks, paced like a model writing, and a context-obedient question with
 *       {@link #ANSWER}.</li>
 * </ul>
 */
final class LocalWeb implements AutoCloseable {

    static final String ANSWER = "Dave Grohl founded Foo Fighters in 1994.";

    static final String ARTICLE = """
            <html><head><title>Foo Fighters | Band history</title></head><body>
            <nav><a href="/">Home</a> <a href="/bands">Bands</a></nav>
            <article><h1>Foo Fighters</h1>
            <p>Foo Fighters are an American rock band formed in Seattle in 1994 by Dave Grohl, who had been the
            drummer of Nirvana. The band has won fifteen Grammy Awards.</p></article>
            <footer>Cookie settings | Privacy</footer></body></html>""";

    private final HttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    /** The completion requests the model stand-in received, as JSON. */
    final List<JsonNode> modelRequests = new CopyOnWriteArrayList<>();
    /** How long the model stand-in pauses between plan chunks. */
    private final long chunkPauseMillis;

    LocalWeb(long chunkPauseMillis) {
        this.chunkPauseMillis = chunkPauseMillis;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/html/", exchange -> respond(exchange, 200, "text/html; charset=utf-8",
                resource("e2e/ddg-html_foo_uddg-wrapped.html")));
        server.createContext("/pages/foo-fighters", exchange -> respond(exchange, 200, "text/html; charset=utf-8",
                ARTICLE.getBytes(StandardCharsets.UTF_8)));
        server.createContext("/v1/completions", this::completion);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    String plan() {
        return """
                Plan: Search the web for the band.
                :evidence0: = DuckDuckGo[Foo Fighters founder]
                Plan: Read the band's page.
                :evidence1: = TextScraper[%s]
                Plan: Answer from the search results and the page.
                :evidence2: = KnowledgeModel[Who founded Foo Fighters, and when, given :evidence0: and :evidence1:?]
                Answer: :evidence2:
                """.formatted(url("/pages/foo-fighters"));
    }

    private void completion(HttpExchange exchange) throws IOException {
        JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
        modelRequests.add(request);
        String prompt = request.get("prompt").asString();
        boolean planning = prompt.contains("Please construct a systematic plan");
        String text = planning ? plan() : ANSWER;
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            int size = planning ? 12 : 8;
            for (int i = 0; i < text.length(); i += size) {
                out.write(event(text.substring(i, Math.min(text.length(), i + size)), null));
                out.flush();
                if (planning) {
                    pause();
                }
            }
            out.write(event("", "stop"));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private byte[] event(String text, String finishReason) {
        ObjectNode choice = json.createObjectNode().put("index", 0).put("text", text);
        choice.put("finish_reason", finishReason);
        ObjectNode chunk = json.createObjectNode().put("id", "cmpl-1").put("object", "text_completion");
        chunk.putArray("choices").add(choice);
        return ("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Paces the stream like a model writing (server-side behaviour, not test synchronisation). */
    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(chunkPauseMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] resource(String path) {
        try (InputStream in = LocalWeb.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
