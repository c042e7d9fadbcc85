package io.rewoo4j.tools.model;

import static io.rewoo4j.tools.model.ScriptedModelServer.piecesOf;
import static io.rewoo4j.tools.model.ScriptedModelServer.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.tools.model.ScriptedModelServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The OpenAI-compatible client against a real server on loopback that speaks the protocol. */
class OpenAiCompatibleModelTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final String PLAN = "Plan: Search for the 2020 laureate \u2014 caf\u00e9 \u4e2d\u6587 \ud83e\udd80\r\n"
            + ":evidence0: = DuckDuckGo[Nobel Prize in Literature 2020]\n";

    private final ScriptedModelServer server = new ScriptedModelServer();

    @AfterEach
    void stopServer() {
        server.close();
    }

    private OpenAiClientConfig config() {
        return OpenAiClientConfig.of(server.baseUrl())
                .withRetry(new RetrySettings(2, Duration.ofMillis(10), Duration.ofSeconds(2), 0));
    }

    private OpenAiCompatibleModel model(OpenAiClientConfig config) {
        return new OpenAiCompatibleModel(config);
    }

    /** One {@code data:} event of a completions stream. */
    static String completionEvent(String text, String finishReason) {
        ObjectNode choice = JsonNodeFactory.instance.objectNode().put("index", 0).put("text", text);
        choice.put("finish_reason", finishReason);
        ObjectNode chunk = JsonNodeFactory.instance.objectNode().put("id", "cmpl-1").put("object", "text_completion");
        chunk.putArray("choices").add(choice);
        return "data: " + JsonMapper.shared().writeValueAsString(chunk) + "\n\n";
    }

    static String chatEvent(String content) {
        ObjectNode delta = JsonNodeFactory.instance.objectNode();
        if (content == null) {
            delta.put("role", "assistant");
        } else {
            delta.put("content", content);
        }
        ObjectNode chunk = JsonNodeFactory.instance.objectNode().put("object", "chat.completion.chunk");
        chunk.putArray("choices").addObject().put("index", 0).set("delta", delta);
        return "data: " + JsonMapper.shared().writeValueAsString(chunk) + "\n\n";
    }

    /** Tokens of {@link #PLAN}, as the server streams them, with CRLF framing and a keep-alive comment. */
    private static String planStream() {
        StringBuilder body = new StringBuilder(": keep-alive\r\n\r\n");
        for (String token : List.of("Plan: Search", " for the 2020 laureate", " \u2014 caf\u00e9", " \u4e2d\u6587 ",
                "\ud83e\udd80\r\n", ":evidence0: = DuckDuckGo[", "Nobel Prize in Literature 2020]\n")) {
            body.append(completionEvent(token, null).replace("\n\n", "\r\n\r\n"));
        }
        return body.append(completionEvent("", "stop")).append("data: [DONE]\n\n").toString();
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 5, 7, 64, 100_000})
    void streamsTheCompletionHoweverTheBytesAreSplit(int pieceSize) {
        byte[][] pieces = piecesOf(utf8(planStream()), pieceSize);
        if (pieceSize <= 3) {
            assertThat(java.util.Arrays.stream(pieces).anyMatch(p -> (p[p.length - 1] & 0xC0) == 0xC0))
                    .as("some piece ends inside a multi-byte character").isTrue();
        }
        server.enqueue(Reply.events(pieces));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("Question: who?")).reduce(String::concat))
                .expectNext(PLAN)
                .expectComplete()
                .verify(LIMIT);
    }

    @Test
    void sendsTheSettingsAsOpenAiFieldsWithVllmExtensions() {
        server.enqueue(Reply.events(utf8(completionEvent("ok", "stop") + "data: [DONE]\n\n")));
        GenerationOptions options = new GenerationOptions(List.of("\nObservation:", "</s>", "###", "USER:", "[INST]"),
                256, 0.7, 40, 0.95, 1.15, 42L);
        StepVerifier.create(model(config().withModel("TheBloke/bagel-8x7b-v0.2-GPTQ").withApiKey("sk-test"))
                        .generate(new GenerationRequest("Below is an instruction.\n\n### Response:\n", options)))
                .expectNext("ok")
                .expectComplete()
                .verify(LIMIT);

        ScriptedModelServer.Recorded request = server.request(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/completions");
        assertThat(request.header("Authorization")).isEqualTo("Bearer sk-test");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Accept")).isEqualTo("text/event-stream");
        JsonNode body = request.json();
        assertThat(body.path("model").asString()).isEqualTo("TheBloke/bagel-8x7b-v0.2-GPTQ");
        assertThat(body.path("prompt").asString()).isEqualTo("Below is an instruction.\n\n### Response:\n");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.7);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.95);
        assertThat(body.path("top_k").asInt()).isEqualTo(40);
        assertThat(body.path("repetition_penalty").asDouble()).isEqualTo(1.15);
        assertThat(body.path("seed").asLong()).isEqualTo(42L);
        assertThat(body.path("stop").valueStream().map(JsonNode::asString).toList())
                .containsExactly("\nObservation:", "</s>", "###", "USER:");
        assertThat(body.has("messages")).isFalse();
    }

    @Test
    void greedyDefaultsSendOnlyWhatOpenAiKnowsAndNoKeyMeansNoAuthorization() {
        server.enqueue(Reply.events(utf8(completionEvent("ok", "stop") + "data: [DONE]\n\n")));
        StepVerifier.create(model(config().withSamplingExtensions(SamplingExtensions.NONE))
                        .generate(new GenerationRequest("p", GenerationOptions.defaults().withTopK(5))))
                .expectNext("ok")
                .expectComplete()
                .verify(LIMIT);
        JsonNode body = server.request(0).json();
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("prompt", "stream", "max_tokens", "temperature");
        assertThat(body.path("temperature").asDouble()).isZero();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(GenerationOptions.DEFAULT_MAX_TOKENS);
        assertThat(server.request(0).header("Authorization")).isNull();
    }

    @Test
    void llamaCppExtensionsUseItsFieldName() {
        server.enqueue(Reply.events(utf8(completionEvent("ok", "stop") + "data: [DONE]\n\n")));
        StepVerifier.create(model(config().withSamplingExtensions(SamplingExtensions.LLAMA_CPP))
                        .generate(new GenerationRequest("p", GenerationOptions.defaults().withRepetitionPenalty(1.1))))
                .expectNext("ok")
                .expectComplete()
                .verify(LIMIT);
        JsonNode body = server.request(0).json();
        assertThat(body.path("repeat_penalty").asDouble()).isEqualTo(1.1);
        assertThat(body.has("repetition_penalty")).isFalse();
    }

    @Test
    void chatModeSendsThePromptAsOneUserMessageAndReadsDeltas() {
        server.enqueue(Reply.events(utf8(chatEvent(null) + chatEvent("Hello") + chatEvent(", world")
                + "data: [DONE]\n\n")));
        StepVerifier.create(model(config().withMode(OpenAiMode.CHAT_COMPLETIONS).withModel("m"))
                        .generate(GenerationRequest.of("Say hello")))
                .expectNext("Hello", ", world")
                .expectComplete()
                .verify(LIMIT);
        ScriptedModelServer.Recorded request = server.request(0);
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        JsonNode messages = request.json().path("messages");
        assertThat(messages.size()).isEqualTo(1);
        assertThat(messages.path(0).path("role").asString()).isEqualTo("user");
        assertThat(messages.path(0).path("content").asString()).isEqualTo("Say hello");
        assertThat(request.json().has("prompt")).isFalse();
    }

    @Test
    void aBaseUrlThatEndsInV1IsNotGivenASecondOne() {
        server.enqueue(Reply.events(utf8(completionEvent("ok", "stop") + "data: [DONE]\n\n")));
        StepVerifier.create(model(config().withModel(null).withApiKey(" ")).generate(GenerationRequest.of("p")))
                .expectNext("ok").expectComplete().verify(LIMIT);
        server.enqueue(Reply.events(utf8(completionEvent("ok", "stop") + "data: [DONE]\n\n")));
        OpenAiClientConfig v1 = new OpenAiClientConfig(java.net.URI.create(server.baseUrl() + "/v1/"), null, null,
                null, null, null, null);
        StepVerifier.create(model(v1).generate(GenerationRequest.of("p"))).expectNext("ok").expectComplete()
                .verify(LIMIT);
        assertThat(server.requests()).extracting(ScriptedModelServer.Recorded::path)
                .containsExactly("/v1/completions", "/v1/completions");
    }

    @Test
    void stopSequenceSpanningChunksIsCutAndTheConnectionClosed() throws InterruptedException {
        // The server ignores the stop (or cannot see it): the client cuts and hangs up.
        server.enqueue(Reply.eventsThenStall(
                utf8(completionEvent("Plan: look it up\n:evidence0: = DuckDuckGo[x]\nObs", null)),
                utf8(completionEvent("ervat", null)),
                utf8(completionEvent("ion: made up", null))));
        GenerationOptions options = GenerationOptions.defaults().withStopSequences(List.of("\nObservation:"));
        StepVerifier.create(model(config()).generate(new GenerationRequest("p", options)))
                .expectNext("Plan: look it up\n:evidence0: = DuckDuckGo[x]")
                .expectComplete()
                .verify(LIMIT);
        assertThat(server.request(0).awaitClosed(LIMIT)).isTrue();
    }

    @Test
    void stopSequencesBeyondTheFourSentAreCutClientSide() {
        server.enqueue(Reply.events(utf8(completionEvent("answer: 42 EN", null) + completionEvent("D more", "length")
                + "data: [DONE]\n\n")));
        GenerationOptions options = GenerationOptions.defaults()
                .withStopSequences(List.of("S1", "S2", "S3", "S4", "END"));
        StepVerifier.create(model(config()).generate(new GenerationRequest("p", options)).reduce(String::concat))
                .expectNext("answer: 42 ")
                .expectComplete()
                .verify(LIMIT);
        assertThat(server.request(0).json().path("stop").size()).isEqualTo(4);
    }

    @Test
    void badRequestCarriesTheServersMessageAndIsNotRetried() {
        server.enqueue(Reply.json(400, "{\"object\": \"error\", \"message\": \"This model's maximum context length "
                + "is 4096 tokens.\", \"type\": \"BadRequestError\", \"code\": 400}"));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("a very long prompt")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(BadRequestException.class, bad -> {
                    assertThat(bad.status()).isEqualTo(400);
                    assertThat(bad.serverMessage()).isEqualTo("This model's maximum context length is 4096 tokens.");
                }))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void unauthorizedIsAnAuthenticationErrorAndIsNotRetried() {
        server.enqueue(Reply.json(401, "{\"error\": {\"message\": \"Incorrect API key provided\", "
                + "\"type\": \"invalid_request_error\"}}"));
        StepVerifier.create(model(config().withApiKey("wrong")).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("Incorrect API key provided"))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void rateLimitedWithRetryAfterIsRetriedAfterTheDelayTheServerAskedFor() {
        server.enqueue(Reply.json(429, "{\"error\": {\"message\": \"Too many requests\"}}", "Retry-After", "1"),
                Reply.events(utf8(completionEvent("fine now", "stop") + "data: [DONE]\n\n")));
        long start = System.nanoTime();
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectNext("fine now")
                .expectComplete()
                .verify(LIMIT);
        // The configured backoff is 10 ms: only Retry-After explains a wait of a second.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        assertThat(server.requests()).hasSize(2);
        assertThat(server.request(1).body()).isEqualTo(server.request(0).body());
    }

    @Test
    void serverErrorIsRetriedThenFailsTyped() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(Reply.json(500, "{\"error\": {\"message\": \"CUDA out of memory\"}}"));
        }
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ServerErrorException.class, error -> {
                    assertThat(error.status()).isEqualTo(500);
                    assertThat(error.serverMessage()).isEqualTo("CUDA out of memory");
                }))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void anErrorAfterTextHasBeenEmittedIsFinal() {
        server.enqueue(Reply.events(utf8(completionEvent("Plan: fi", null)
                + "data: {\"error\": {\"message\": \"engine died\", \"type\": \"InternalServerError\", \"code\": 500}}"
                + "\n\n")));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectNext("Plan: fi")
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ServerErrorException.class)
                        .hasMessageContaining("engine died"))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aRefusedConnectionIsRetriedThenFailsTyped() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StepVerifier.create(model(OpenAiClientConfig.of("http://127.0.0.1:" + port)
                        .withRetry(new RetrySettings(1, Duration.ofMillis(10), Duration.ofMillis(10), 0)))
                        .generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ConnectionFailedException.class,
                        failed -> assertThat(failed.isRetryable()).isTrue()))
                .verify(LIMIT);
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "relies on Linux dropping SYNs to a listener whose accept queue is full")
    void aConnectionThatCannotBeOpenedInTimeIsAConnectTimeout() throws IOException {
        // A listener that never accepts, its accept queue filled: Linux drops further SYNs, so connecting hangs.
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    SocketChannel filler = SocketChannel.open();
                    filler.configureBlocking(false);
                    filler.connect(listener.getLocalSocketAddress());
                    fillers.add(filler);
                }
                OpenAiClientConfig config = OpenAiClientConfig.of("http://127.0.0.1:" + listener.getLocalPort())
                        .withTimeouts(HttpTimeouts.defaults().withConnect(Duration.ofMillis(200)))
                        .withRetry(RetrySettings.none());
                StepVerifier.create(model(config).generate(GenerationRequest.of("p")))
                        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ModelTimeoutException.class,
                                t -> {
                                    assertThat(t.phase()).isEqualTo(ModelTimeoutException.Phase.CONNECT);
                                    assertThat(t.isRetryable()).isTrue();
                                }))
                        .verify(LIMIT);
            } finally {
                for (SocketChannel filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void aServerThatStallsMidStreamTimesOutAndIsHungUpOn() throws InterruptedException {
        server.enqueue(Reply.eventsThenStall(utf8(completionEvent("Plan: ", null))));
        OpenAiClientConfig config = config().withTimeouts(HttpTimeouts.defaults().withIdle(Duration.ofMillis(300)));
        long start = System.nanoTime();
        StepVerifier.create(model(config).generate(GenerationRequest.of("p")))
                .expectNext("Plan: ")
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ModelTimeoutException.class, t -> {
                    assertThat(t.phase()).isEqualTo(ModelTimeoutException.Phase.IDLE);
                    assertThat(t.limit()).isEqualTo(Duration.ofMillis(300));
                }))
                .verify(LIMIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(server.request(0).awaitClosed(LIMIT)).isTrue();
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aServerThatNeverAnswersTimesOutAndIsNotRetried() {
        server.enqueue(Reply.silence());
        OpenAiClientConfig config = config()
                .withTimeouts(HttpTimeouts.defaults().withResponse(Duration.ofMillis(300)));
        StepVerifier.create(model(config).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ModelTimeoutException.class,
                        t -> assertThat(t.phase()).isEqualTo(ModelTimeoutException.Phase.RESPONSE)))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void cancellingClosesTheConnection() throws InterruptedException {
        server.enqueue(Reply.eventsThenStall(utf8(completionEvent("Plan: one", null))));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectNext("Plan: one")
                .then(() -> assertThat(server.request(0).isClosed()).as("open while streaming").isFalse())
                .thenCancel()
                .verify(LIMIT);
        assertThat(server.request(0).awaitClosed(LIMIT)).isTrue();
    }

    @Test
    void isColdAndLazy() {
        server.enqueue(Reply.events(utf8(completionEvent("a", "stop") + "data: [DONE]\n\n")),
                Reply.events(utf8(completionEvent("b", "stop") + "data: [DONE]\n\n")));
        Flux<String> completion = model(config()).generate(GenerationRequest.of("p"));
        assertThat(server.requests()).isEmpty();
        StepVerifier.create(completion).expectNext("a").expectComplete().verify(LIMIT);
        StepVerifier.create(completion).expectNext("b").expectComplete().verify(LIMIT);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void anEventThatIsNotJsonIsMalformed() {
        server.enqueue(Reply.events(utf8("data: <html>Bad Gateway</html>\n\n")));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MalformedResponseException.class)
                        .hasMessageContaining("<html>Bad Gateway</html>"))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aPlainTextErrorEventIsAServerError() {
        server.enqueue(Reply.events(utf8("event: error\ndata: worker crashed\n\n")));
        StepVerifier.create(model(config().withRetry(RetrySettings.none())).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ServerErrorException.class,
                        error -> assertThat(error.serverMessage()).isEqualTo("worker crashed")))
                .verify(LIMIT);
    }

    @Test
    void aStreamCutOffBeforeItsEndIsMalformed() {
        server.enqueue(Reply.events(utf8(completionEvent("Plan: half", null))));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectNext("Plan: half")
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MalformedResponseException.class)
                        .hasMessageContaining("ended before [DONE]"))
                .verify(LIMIT);
    }

    @Test
    void aStreamWithAFinishReasonButNoDoneMarkerIsComplete() {
        server.enqueue(Reply.events(utf8(completionEvent("done", "stop"))));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectNext("done")
                .expectComplete()
                .verify(LIMIT);
    }

    @Test
    void aRedirectIsReportedWithItsTarget() {
        server.enqueue(Reply.status(307, "text/plain", "", "Location", "https://elsewhere.test/v1/completions"));
        StepVerifier.create(model(config()).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MalformedResponseException.class)
                        .hasMessageContaining("307").hasMessageContaining("https://elsewhere.test/v1/completions"))
                .verify(LIMIT);
    }
}
