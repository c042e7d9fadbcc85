package io.rewoo4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.rewoo4j.config.RewooApplication;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed card's Nobel-prize plan end to end over REST, against local servers only: the plan executed as written
 * (JSON and SSE), planned by the model, a failing branch, and function dispatch through the model.
 */
@SpringBootTest(classes = RewooApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SeedPlanOverRestIT {

    static final LocalWeb WEB = new LocalWeb(5, true);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("rewoo.model.provider", () -> "openai");
        registry.add("rewoo.model.base-url", () -> WEB.url(""));
        registry.add("rewoo.model.prompt-format", () -> "mistral");
        registry.add("rewoo.tools.duckduckgo.base-url", () -> WEB.url("/html/"));
        registry.add("rewoo.tools.http.allow-private-addresses", () -> "true");
        registry.add("logging.level.root", () -> "WARN");
    }

    @AfterAll
    static void stop() {
        WEB.close();
    }

    @LocalServerPort
    int port;

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(Duration.ofSeconds(60)).build();
    }

    private static JsonNode json(byte[] body) {
        return JsonMapper.builder().build().readTree(body);
    }

    @Test
    void theSeedPlanRunsAsWrittenAndAnswersFromTheScrapedPages() {
        byte[] body = client().post().uri("/api/v1/plans/execute").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", LocalWeb.SEED_PLAN,
                        "question", "Who won the Nobel Prize in Literature in 2020 and what is their most famous work?"))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode run = json(body);

        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.get("answer").asString()).isEqualTo("The Wild Iris (1992), which won the Pulitzer Prize for Poetry.");
        JsonNode steps = run.get("steps");
        assertThat(steps).hasSize(6);
        assertThat(steps.get(1).get("output").asString()).isEqualTo("Louise Gl\u00fcck");
        // Evidence was substituted into the second search: the laureate's name, as the model gave it.
        assertThat(steps.get(2).get("input").asString()).isEqualTo("Most famous work of Louise Gl\u00fcck");
        assertThat(WEB.searches).contains("Nobel Prize in Literature 2020 winner", "Most famous work of Louise Gl\u00fcck");
        // The ten results, now on this machine, and the links written in their snippets (which stay unreachable).
        List<String> links = steps.get(3).get("output").asString().lines().toList();
        assertThat(links.stream().filter(link -> link.startsWith(WEB.url("/site/")))).hasSize(10);
        assertThat(links).contains("https://FooFighters.lnk.to/listen_YDWatch");
        // The scraper read the first ten links: the reachable pages, and an error line for each one it could not.
        String scraped = steps.get(4).get("output").asString();
        assertThat(scraped).contains("The Wild Iris won the Pulitzer Prize").doesNotContain("Cookie settings")
                .contains("Source: https://FooFighters.lnk.to/listen_YDWatch\nError: ");
        assertThat(steps.get(5).get("sources").findValuesAsString("url")).hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(url -> assertThat(url).startsWith(WEB.url("/site/")));
    }

    @Test
    void theSeedPlanStreamsItsEventsInDependencyOrder() {
        List<ServerSentEvent<Map<String, Object>>> events = client().post().uri("/api/v1/plans/execute")
                .accept(MediaType.TEXT_EVENT_STREAM).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", LocalWeb.SEED_PLAN))
                .exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() { })
                .getResponseBody().collectList().block(Duration.ofSeconds(60));

        List<String> succeeded = events.stream().filter(e -> "step-succeeded".equals(e.event()))
                .map(e -> (String) ((Map<?, ?>) e.data().get("data")).get("stepId")).toList();
        assertThat(succeeded).containsExactly("evidence0", "evidence1", "evidence2", "evidence3", "evidence4", "evidence5");
        assertThat(events.get(events.size() - 1).event()).isEqualTo("run-finished");
    }

    @Test
    void aFailingStepSkipsItsDependantsAndTheRunStillAnswers() {
        String plan = """
                Plan: Search.
                :evidence0: = DuckDuckGo[Nobel Prize in Literature 2020 winner]
                Plan: Read a page that cannot be fetched.
                :evidence1: = TextScraper[%s]
                Plan: Ask about it.
                :evidence2: = KnowledgeModel[What does it say, given :evidence1:?]
                Plan: Ask about the search.
                :evidence3: = KnowledgeModel[Who won the Nobel Prize in Literature in 2020, given :evidence0:?]
                Answer: :evidence3:
                """.formatted(WEB.url("/no-such-page"));
        JsonNode run = json(client().post().uri("/api/v1/plans/execute").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("plan", plan)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());

        assertThat(run.get("status").asString()).isEqualTo("failed");
        assertThat(run.get("answer").asString()).isEqualTo("Louise Gl\u00fcck");
        JsonNode steps = run.get("steps");
        assertThat(steps.get(1).get("status").asString()).isEqualTo("failed");
        assertThat(steps.get(1).get("error").get("message").asString()).contains("404");
        assertThat(steps.get(2).get("status").asString()).isEqualTo("skipped");
        assertThat(steps.get(2).get("error").get("blockedBy").asString()).isEqualTo("evidence1");
        assertThat(steps.get(3).get("status").asString()).isEqualTo("succeeded");
    }

    @Test
    void theModelPlansTheSeedPlanWhenAsked() {
        WEB.writePlan(LocalWeb.SEED_PLAN);
        byte[] body = client().post().uri("/api/v1/runs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", "Who won the Nobel Prize in Literature in 2020 and what is their most famous work?"))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode run = json(body);
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.get("answer").asString()).startsWith("The Wild Iris");
        assertThat(run.get("plan").get("steps")).hasSize(6);
    }

    @Test
    void functionDispatchThroughTheModel() {
        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("input", "Which links are in the Nobel committee's announcement?"))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.function").isEqualTo("HyperlinkExtractor")
                .jsonPath("$.result").isEqualTo("https://www.nobelprize.org/prizes/literature/2020/");
        client().post().uri("/api/v1/functions/dispatch").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("call", Map.of("function", "DuckDuckGo", "params", Map.of("query", "x"))))
                .exchange().expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.kind").isEqualTo("invalid_params");
    }
}
