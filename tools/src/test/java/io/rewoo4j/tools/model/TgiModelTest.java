package io.rewoo4j.tools.model;

import static io.rewoo4j.tools.model.ScriptedModelServer.piecesOf;
import static io.rewoo4j.tools.model.ScriptedModelServer.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.tools.model.ScriptedModelServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The TGI client against a real server on loopback that speaks TGI's native API. */
class TgiModelTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    private final ScriptedModelServer server = new ScriptedModelServer();

    @AfterEach
    void stopServer() {
        server.close();
    }

    private TgiClientConfig config() {
        return TgiClientConfig.of(server.baseUrl())
                .withRetry(new RetrySettings(2, Duration.ofMillis(10), Duration.ofSeconds(2), 0));
    }

    /** One {@code /generate_stream} event, TGI style ({@code data:} without a space). */
    static String tokenEvent(int id, String text, boolean special, String generatedText) {
        ObjectNode event = JsonNodeFactory.instance.objectNode().put("index", id);
        event.putObject("token").put("id", id).put("text", text).put("logprob", -0.1).put("special", special);
        if (generatedText == null) {
            event.putNull("generated_text");
            event.putNull("details");
        } else {
            event.put("generated_text", generatedText);
            event.putObject("details").put("finish_reason", "eos_token").put("generated_tokens", id);
        }
        return "data:" + JsonMapper.shared().writeValueAsString(event) + "\n\n";
    }

    private static final String ANSWER = "Louise Gl\u00fcck \u2014 \u8a69\u4eba \ud83d\udcda";

    private static String answerStream() {
        return tokenEvent(1, "Louise", false, null)
                + tokenEvent(2, " Gl\u00fcck", false, null)
                + tokenEvent(3, " \u2014 \u8a69", false, null)
                + tokenEvent(4, "\u4eba \ud83d\udcda", false, null)
                + tokenEvent(5, "</s>", true, ANSWER);
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 3, 4, 13, 100_000})
    void streamsTokensHoweverTheBytesAreSplitAndSkipsSpecialTokens(int pieceSize) {
        server.enqueue(Reply.events(piecesOf(utf8(answerStream()), pieceSize)));
        StepVerifier.create(new TgiModel(config()).generate(GenerationRequest.of("USER: who?\nASSISTANT:"))
                        .reduce(String::concat))
                .expectNext(ANSWER)
                .expectComplete()
                .verify(LIMIT);
        assertThat(server.request(0).path()).isEqualTo("/generate_stream");
    }

    @Test
    void samplingSendsTheSeedsParameters() {
        server.enqueue(Reply.events(utf8(tokenEvent(1, "ok", false, "ok"))));
        GenerationOptions options = new GenerationOptions(List.of("</s>", "USER:", "###", "[INST]", "\n\n\n"), 128,
                0.7, 40, 0.95, 1.1, 7L);
        StepVerifier.create(new TgiModel(config().withApiKey("hf_test"))
                        .generate(new GenerationRequest("Tell me about AI", options)))
                .expectNext("ok")
                .expectComplete()
                .verify(LIMIT);
        ScriptedModelServer.Recorded request = server.request(0);
        assertThat(request.header("Authorization")).isEqualTo("Bearer hf_test");
        assertThat(request.header("Accept")).isEqualTo("text/event-stream");
        JsonNode body = request.json();
        assertThat(body.path("inputs").asString()).isEqualTo("Tell me about AI");
        JsonNode parameters = body.path("parameters");
        assertThat(parameters.path("max_new_tokens").asInt()).isEqualTo(128);
        assertThat(parameters.path("do_sample").asBoolean()).isTrue();
        assertThat(parameters.path("temperature").asDouble()).isEqualTo(0.7);
        assertThat(parameters.path("top_k").asInt()).isEqualTo(40);
        assertThat(parameters.path("top_p").asDouble()).isEqualTo(0.95);
        assertThat(parameters.path("repetition_penalty").asDouble()).isEqualTo(1.1);
        assertThat(parameters.path("seed").asLong()).isEqualTo(7L);
        assertThat(parameters.path("return_full_text").asBoolean(true)).isFalse();
        assertThat(parameters.path("stop").valueStream().map(JsonNode::asString).toList())
                .containsExactly("</s>", "USER:", "###", "[INST]");
    }

    @Test
    void greedyIsDoSampleFalseWithoutTheSettingsTgiRejectsOrThatWouldSwitchSamplingOn() {
        server.enqueue(Reply.events(utf8(tokenEvent(1, "ok", false, "ok"))));
        GenerationOptions options = GenerationOptions.defaults().withTopK(40).withTopP(0.9).withMaxTokens(64);
        StepVerifier.create(new TgiModel(config()).generate(new GenerationRequest("p", options)))
                .expectNext("ok")
                .expectComplete()
                .verify(LIMIT);
        JsonNode parameters = server.request(0).json().path("parameters");
        assertThat(parameters.propertyNames())
                .containsExactlyInAnyOrder("max_new_tokens", "do_sample", "return_full_text");
        assertThat(parameters.path("do_sample").asBoolean(true)).isFalse();
        assertThat(server.request(0).header("Authorization")).isNull();
    }

    @Test
    void nonStreamedGenerateIsOneChunkCutAtTheStopSequenceTgiLeavesInIt() {
        server.enqueue(Reply.json(200, "{\"generated_text\": \"Plan: search\\n:evidence0: = DuckDuckGo[x]\\n"
                + "Observation:\"}"));
        GenerationOptions options = GenerationOptions.defaults().withStopSequences(List.of("\nObservation:"));
        StepVerifier.create(new TgiModel(config().withEndpoint(TgiEndpoint.GENERATE))
                        .generate(new GenerationRequest("p", options)))
                .expectNext("Plan: search\n:evidence0: = DuckDuckGo[x]")
                .expectComplete()
                .verify(LIMIT);
        assertThat(server.request(0).path()).isEqualTo("/generate");
        assertThat(server.request(0).header("Accept")).isEqualTo("application/json");
        assertThat(server.request(0).json().path("parameters").path("stop").path(0).asString())
                .isEqualTo("\nObservation:");
    }

    @Test
    void nonStreamedAnswerWithoutGeneratedTextIsMalformed() {
        server.enqueue(Reply.json(200, "{\"text\": \"not TGI\"}"));
        StepVerifier.create(new TgiModel(config().withEndpoint(TgiEndpoint.GENERATE)).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MalformedResponseException.class)
                        .hasMessageContaining("no generated_text"))
                .verify(LIMIT);
    }

    @Test
    void validationErrorCarriesTgisMessage() {
        server.enqueue(Reply.json(422, "{\"error\": \"Input validation error: `inputs` tokens + `max_new_tokens` "
                + "must be <= 4096. Given: 4000 `inputs` tokens and 1024 `max_new_tokens`\", "
                + "\"error_type\": \"validation\"}"));
        StepVerifier.create(new TgiModel(config()).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(BadRequestException.class, bad -> {
                    assertThat(bad.status()).isEqualTo(422);
                    assertThat(bad.serverMessage()).startsWith("Input validation error: `inputs` tokens");
                }))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void overloadedIsRetried() {
        server.enqueue(Reply.json(429, "{\"error\": \"Model is overloaded\", \"error_type\": \"overloaded\"}"),
                Reply.events(utf8(tokenEvent(1, "ok", false, "ok"))));
        StepVerifier.create(new TgiModel(config()).generate(GenerationRequest.of("p")))
                .expectNext("ok")
                .expectComplete()
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void anErrorEventBeforeAnyTokenIsTypedAndRetried() {
        server.enqueue(
                Reply.events(utf8("data:{\"error\":\"Request failed during generation: CUDA OOM\","
                        + "\"error_type\":\"generation\"}\n\n")),
                Reply.events(utf8("data:{\"error\":\"Request failed during generation: CUDA OOM\","
                        + "\"error_type\":\"generation\"}\n\n")),
                Reply.events(utf8("data:{\"error\":\"Request failed during generation: CUDA OOM\","
                        + "\"error_type\":\"generation\"}\n\n")));
        StepVerifier.create(new TgiModel(config()).generate(GenerationRequest.of("p")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ServerErrorException.class, error -> {
                    assertThat(error.status()).isEqualTo(424);
                    assertThat(error.serverMessage()).isEqualTo("Request failed during generation: CUDA OOM");
                }))
                .verify(LIMIT);
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void stopSequenceSpanningTokensIsCutAndTheConnectionClosed() throws InterruptedException {
        server.enqueue(Reply.eventsThenStall(
                utf8(tokenEvent(1, "Answer: 42", false, null)),
                utf8(tokenEvent(2, "\nUS", false, null)),
                utf8(tokenEvent(3, "ER: and", false, null))));
        GenerationOptions options = GenerationOptions.defaults().withStopSequences(List.of("\nUSER:"));
        StepVerifier.create(new TgiModel(config()).generate(new GenerationRequest("p", options)))
                .expectNext("Answer: 42")
                .expectComplete()
                .verify(LIMIT);
        assertThat(server.request(0).awaitClosed(LIMIT)).isTrue();
    }

    @Test
    void cancellingClosesTheConnection() throws InterruptedException {
        server.enqueue(Reply.eventsThenStall(utf8(tokenEvent(1, "Louise", false, null))));
        StepVerifier.create(new TgiModel(config()).generate(GenerationRequest.of("p")))
                .expectNext("Louise")
                .then(() -> assertThat(server.request(0).isClosed()).as("open while streaming").isFalse())
                .thenCancel()
                .verify(LIMIT);
        assertThat(server.request(0).awaitClosed(LIMIT)).isTrue();
    }

    @Test
    void aStallAfterTheFirstTokenIsAnIdleTimeout() {
        server.enqueue(Reply.eventsThenStall(utf8(tokenEvent(1, "Louise", false, null))));
        TgiClientConfig config = config().withTimeouts(new HttpTimeouts(null, null, Duration.ofMillis(250)));
        StepVerifier.create(new TgiModel(config).generate(GenerationRequest.of("p")))
                .expectNext("Louise")
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ModelTimeoutException.class,
                        t -> assertThat(t.phase()).isEqualTo(ModelTimeoutException.Phase.IDLE)))
                .verify(LIMIT);
    }

    @Test
    void aStreamWithoutItsFinalEventIsMalformed() {
        server.enqueue(Reply.events(utf8(tokenEvent(1, "Louise", false, null))));
        StepVerifier.create(new TgiModel(config()).generate(GenerationRequest.of("p")))
                .expectNext("Louise")
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MalformedResponseException.class)
                        .hasMessageContaining("cut off"))
                .verify(LIMIT);
    }
}
