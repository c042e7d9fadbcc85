package io.rewoo4j.config.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.rewoo4j.config.RewooApplication;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The REST API on a real server (random port), without a model: what works, and how errors look. */
@SpringBootTest(classes = RewooApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"rewoo.server.max-plan-length=2000", "rewoo.server.max-question-length=50",
                "rewoo.server.max-request-size=10KB", "logging.level.root=WARN"})
class RestApiTest {

    private static final String LINKS_PLAN = """
            Plan: Find the links.
            :evidence0: = HyperlinkExtractor[see https://a.example/x and https://b.example/y]
            Plan: Read them (blocked: a private address).
            :evidence1: = TextScraper[http://10.0.0.1/]
            Plan: Links of what was read.
            :evidence2: = HyperlinkExtractor[:evidence1:]
            Answer: :evidence0:
            """;

    @LocalServerPort
    int port;

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(Duration.ofSeconds(30)).build();
    }

    private static JsonNode json(byte[] body) {
        return JsonMapper.builder().build().readTree(body);
    }

    @Test
    void parseReturnsThePlanGraph() {
        byte[] body = client().post().uri("/api/v1/plans/parse").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", "#E1 = Search[x]\n#E2 = LLM[y, given #E1]\nAnswer: #E2"))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode graph = json(body);
        assertThat(graph.propertyNames()).containsExactly("steps", "answer", "answerDependsOn");
        assertThat(graph.get("steps").get(1).get("id").asString()).isEqualTo("e2");
        assertThat(graph.get("steps").get(1).get("dependsOn").get(0).asString()).isEqualTo("e1");
    }

    @Test
    void aBadPlanIsAProblemNamingTheLine() {
        byte[] body = client().post().uri("/api/v1/plans/parse").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", "Plan: go\n:evidence0: = A[x]\n:evidence1: = B[:evidence7:]"))
                .exchange().expectStatus().isEqualTo(422)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().returnResult().getResponseBody();
        JsonNode problem = json(body);
        assertThat(problem.get("line").asInt()).isEqualTo(3);
        assertThat(problem.get("code").asString()).isEqualTo("undefined_reference");
        assertThat(problem.get("detail").asString()).contains(":evidence7:");
        assertThat(problem.get("type").asString()).endsWith("/invalid-plan");
    }

    @Test
    void executeReturnsTheRunWithFailuresAndSkipsExplained() {
        byte[] body = client().post().uri("/api/v1/plans/execute").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", LINKS_PLAN, "question", "Which links?"))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode run = json(body);
        assertThat(run.get("status").asString()).isEqualTo("failed");
        assertThat(run.get("question").asString()).isEqualTo("Which links?");
        assertThat(run.get("answer").asString()).isEqualTo("https://a.example/x\nhttps://b.example/y");
        JsonNode steps = run.get("steps");
        assertThat(steps.get(0).get("status").asString()).isEqualTo("succeeded");
        assertThat(steps.get(0).get("input").asString()).isEqualTo("see https://a.example/x and https://b.example/y");
        assertThat(steps.get(0).get("durationMs").isNumber()).isTrue();
        assertThat(steps.get(1).get("status").asString()).isEqualTo("failed");
        assertThat(steps.get(1).get("error").get("message").asString()).contains("10.0.0.1");
        assertThat(steps.get(2).get("status").asString()).isEqualTo("skipped");
        assertThat(steps.get(2).get("error").get("blockedBy").asString()).isEqualTo("evidence1");
        assertThat(run.get("plan").get("steps")).hasSize(3);

        String runId = run.get("runId").asString();
        client().get().uri("/api/v1/runs/{id}", runId).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.runId").isEqualTo(runId);
        client().get().uri("/api/v1/runs/{id}", "no-such-run").exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void executeStreamsOneNamedEventPerRunEvent() {
        var events = client().post().uri("/api/v1/plans/execute").accept(MediaType.TEXT_EVENT_STREAM)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("plan", LINKS_PLAN))
                .exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() { })
                .getResponseBody();
        StepVerifier.create(events.map(ServerSentEvent::event).collectList())
                .assertNext(names -> {
                    assertThat(names.get(0)).isEqualTo("run-started");
                    assertThat(names).contains("step-planned", "plan-completed", "step-started", "step-succeeded",
                            "step-failed", "step-skipped", "execution-finished", "answer");
                    assertThat(names.get(names.size() - 1)).isEqualTo("run-finished");
                    assertThat(names.indexOf("step-failed")).isLessThan(names.indexOf("step-skipped"));
                })
                .verifyComplete();
    }

    @Test
    void runsWithoutAModelAre503SayingWhatToConfigureAlsoForEventStreams() {
        for (MediaType accept : List.of(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM)) {
            byte[] body = client().post().uri("/api/v1/runs").accept(accept).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("question", "Who won?"))
                    .exchange().expectStatus().isEqualTo(503)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().returnResult().getResponseBody();
            assertThat(json(body).get("detail").asString()).contains("rewoo.model.provider");
        }
    }

    @Test
    void limitsAreProblems() {
        client().post().uri("/api/v1/runs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", "why? ".repeat(20)))
                .exchange().expectStatus().isEqualTo(413).expectBody().jsonPath("$.detail")
                .value(String.class, d -> assertThat(d).contains("rewoo.server.max-question-length"));
        client().post().uri("/api/v1/plans/parse").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", ":evidence0: = A[" + "x".repeat(3000) + "]"))
                .exchange().expectStatus().isEqualTo(413).expectBody().jsonPath("$.detail")
                .value(String.class, d -> assertThat(d).contains("rewoo.server.max-plan-length"));
        client().post().uri("/api/v1/plans/parse").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", "x".repeat(20_000)))
                .exchange().expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        client().post().uri("/api/v1/runs").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of())
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.detail").isEqualTo("'question' is required");
        client().post().uri("/api/v1/plans/parse").contentType(MediaType.APPLICATION_JSON).bodyValue("{not json")
                .exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        client().get().uri("/api/v1/nothing-here").exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void toolsAreListed() {
        client().get().uri("/api/v1/tools").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$[*].name")
                .value(List.class, names -> assertThat(names).contains("DuckDuckGo", "TextScraper",
                        "HyperlinkExtractor", "KnowledgeModel"));
    }

    @Test
    void theOpenApiDescriptionListsTheEndpoints() {
        byte[] body = client().get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        assertThat(json(body).get("paths").propertyNames()).contains("/api/v1/plans/parse", "/api/v1/plans/execute",
                "/api/v1/runs", "/api/v1/runs/{runId}", "/api/v1/tools");
    }

    @Test
    void functionDispatchInvokesAValidCallGivenDirectlyOrAsModelOutput() {
        Map<String, Object> call = Map.of("function", "HyperlinkExtractor", "params", Map.of("input", "see https://a.example/x."));
        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("call", call)).exchange().expectStatus().isOk()
                .expectBody().json("{\"function\":\"HyperlinkExtractor\",\"params\":{\"input\":\"see https://a.example/x.\"},"
                        + "\"result\":\"https://a.example/x\"}");
        String modelOutput = "Sure! Here is the call:\n```json\n{\"function\": \"hyperlinkextractor\", "
                + "\"params\": {\"input\": \"https://b.example/y\"}}\n```\nHope this helps.";
        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("output", modelOutput)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.function").isEqualTo("HyperlinkExtractor")
                .jsonPath("$.result").isEqualTo("https://b.example/y");
    }

    @Test
    void functionDispatchRejectsBadCallsWith422AndAFailingFunctionWith502() {
        byte[] unknown = client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("call", Map.of("function", "Weather", "params", Map.of())))
                .exchange().expectStatus().isEqualTo(422).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().returnResult().getResponseBody();
        assertThat(json(unknown).get("kind").asString()).isEqualTo("unknown_function");
        assertThat(json(unknown).get("known").toString()).contains("HyperlinkExtractor");

        byte[] invalid = client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("call", Map.of("function", "HyperlinkExtractor", "params", Map.of("input", 42))))
                .exchange().expectStatus().isEqualTo(422).expectBody().returnResult().getResponseBody();
        assertThat(json(invalid).get("kind").asString()).isEqualTo("invalid_params");
        assertThat(json(invalid).get("violations").get(0).get("path").asString()).isEqualTo("/params/input");

        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("output", "I would rather not call anything.")).exchange().expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.kind").isEqualTo("no_function_call");

        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("call", Map.of("function", "TextScraper", "params", Map.of("input", "http://10.0.0.1/"))))
                .exchange().expectStatus().isEqualTo(502).expectBody().jsonPath("$.kind").isEqualTo("function_failed");

        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("input", "What links are in https://a.example?")).exchange().expectStatus().isEqualTo(503);
        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of()).exchange().expectStatus().isBadRequest();
    }
}
