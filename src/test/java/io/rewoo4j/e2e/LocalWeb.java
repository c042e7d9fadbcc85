package io.rewoo4j.e2e;

import java.io.IOException;
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
 *   <li>{@code /html/}: a DuckDuckGo stand-in answering with the saved result page the tools tests use (its result links optionally
 *       rewritten to lead to {@code /site/} on this server);</li>
 *   <li>{@code /site/HOST/PATH}: an article for each page a search result links to;</li>
 *   <li>{@code /pages/foo-fighters}: an article for the scraper;</li>
 *   <li>{@code /v1/completions}: a stand-in for an OpenAI-compatible model server (the external model), speaking the
 *       real protocol — a streamed completion over Server-Sent Events. It answers a planning prompt with
 *       {@link #plan()} in small chunks, paced like a model writing, and other prompts (KnowledgeModel questions,
 *       function calling) with {@link #answer(String)}.</li>
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

    /** The seed card's plan (two searches, links, scraping, two questions to the model), as the docs show it. */
    static final String SEED_PLAN = readText(java.nio.file.Path.of("..", "docs", "examples", "nobel-plan.txt"));

    /** DuckDuckGo's saved result page for "foo", shared with the tools module's tests (sources in its NOTICE.md). */
    private static final String SEARCH_PAGE = readText(java.nio.file.Path.of("..", "tools", "src", "test", "resources",
            "duckduckgo", "ddg-html_foo_uddg-wrapped.html"));

    private final HttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    /** The completion requests the model stand-in received, as JSON. */
    final List<JsonNode> modelRequests = new CopyOnWriteArrayList<>();
    /** The queries the DuckDuckGo stand-in was asked. */
    final List<String> searches = new CopyOnWriteArrayList<>();
    /** How long the model stand-in pauses between plan chunks. */
    private final long chunkPauseMillis;
    /** Whether search results point at this server's {@code /site/} pages instead of the real sites. */
    private final boolean localResults;
    /** The plan the model stand-in writes; {@code %s} is this server's address. */
    private volatile String planTemplate = """
            Plan: Search the web for the band.
            :evidence0: = DuckDuckGo[Foo Fighters founder]
            Plan: Read the band's page.
            :evidence1: = TextScraper[%s/pages/foo-fighters]
            Plan: Answer from the search results and the page.
            :evidence2: = KnowledgeModel[Who founded Foo Fighters, and when, given :evidence0: and :evidence1:?]
            Answer: :evidence2:
            """;

    LocalWeb(long chunkPauseMillis) {
        this(chunkPauseMillis, false);
    }

    LocalWeb(long chunkPauseMillis, boolean localResults) {
        this.chunkPauseMillis = chunkPauseMillis;
        this.localResults = localResults;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/html/", this::search);
        server.createContext("/site/", exchange -> respond(exchange, 200, "text/html; charset=utf-8",
                sitePage(exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8)));
        server.createContext("/pages/foo-fighters", exchange -> respond(exchange, 200, "text/html; charset=utf-8",
                ARTICLE.getBytes(StandardCharsets.UTF_8)));
        server.createContext("/v1/completions", this::completion);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The plan the model stand-in writes. */
    String plan() {
        return planTemplate.formatted(url(""));
    }

    /** Makes the model stand-in write this plan ({@code %s} stands for this server's address). */
    void writePlan(String template) {
        this.planTemplate = template;
    }

    /** The answers of the model stand-in to the KnowledgeModel and function-calling prompts. */
    static String answer(String prompt) {
        if (prompt.contains("please select the most suitable function")) {
            return "```json\n{\"function\": \"HyperlinkExtractor\", \"params\": {\"input\": "
                    + "\"See https://www.nobelprize.org/prizes/literature/2020/ for details.\"}}\n```";
        }
        if (prompt.contains("What is the most famous work of Louise")) {
            return "The Wild Iris (1992), which won the Pulitzer Prize for Poetry.";
        }
        if (prompt.contains("Who won the Nobel Prize in Literature in 2020")) {
            return "Louise Gl\u00fcck";
        }
        return ANSWER;
    }

    private void search(HttpExchange exchange) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        for (String field : form.split("&")) {
            if (field.startsWith("q=")) {
                searches.add(java.net.URLDecoder.decode(field.substring(2), StandardCharsets.UTF_8));
            }
        }
        String page = SEARCH_PAGE;
        if (localResults) {
            // Every result now leads to this server, so that the scraper can read the pages it links to.
            page = page.replace("uddg=https%3A%2F%2F", "uddg=" + java.net.URLEncoder.encode(url("/site/"), StandardCharsets.UTF_8));
        }
        respond(exchange, 200, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
    }

    /** A page for any {@code /site/HOST/PATH}: an article naming where it is, about the laureate. */
    private static String sitePage(String path) {
        String site = path.substring("/site/".length());
        return """
                <html><head><title>%s</title></head><body><nav><a href="/">Home</a></nav>
                <article><h1>Louise Gl\u00fcck</h1>
                <p>This page (%s) is about the poet Louise Gl\u00fcck, who won the Nobel Prize in Literature in
                2020. Her collection The Wild Iris won the Pulitzer Prize for Poetry in 1993.</p></article>
                <footer>Cookie settings</footer></body></html>""".formatted(site, site);
    }

    private void completion(HttpExchange exchange) throws IOException {
        JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
        modelRequests.add(request);
        String prompt = request.get("prompt").asString();
        boolean planning = prompt.contains("Please construct a systematic plan");
        String text = planning ? plan() : answer(prompt);
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

    /** A file of the repository (the tests run in config/). */
    private static String readText(java.nio.file.Path path) {
        try {
            return java.nio.file.Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
