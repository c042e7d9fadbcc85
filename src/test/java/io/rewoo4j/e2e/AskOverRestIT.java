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
 * The whole application on a random port answering a question over REST, against local servers only: the model
 * (an OpenAI-compatible stand-in) writes the plan, DuckDuckGo (a stand-in serving a saved page) and the scraper (a
 * local article) run, and the KnowledgeModel asks the model again with the evidence.
 */
@SpringBootTest(classes = RewooApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AskOverRestIT {

    static final LocalWeb WEB = new LocalWeb(15);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("rewoo.model.provider", () -> "openai");
        registry.add("rewoo.model.base-url", () -> WEB.url(""));
        registry.add("rewoo.model.name", () -> "jondurbin/bagel-8x7b-v0.2");
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

    @Test
    void aQuestionIsPlannedExecutedAndAnsweredWithSources() {
        byte[] body = client().post().uri("/api/v1/runs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", "Who founded Foo Fighters?"))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode run = JsonMapper.builder().build().readTree(body);

        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.get("answer").asString()).isEqualTo(LocalWeb.ANSWER);
        assertThat(run.get("answerSource").asString()).isEqualTo("reference");
        assertThat(run.get("planText").asString()).isEqualTo(WEB.plan());
        JsonNode steps = run.get("steps");
        assertThat(steps).hasSize(3);
        assertThat(steps.get(0).get("output").asString()).startsWith(
                "Foo Fighters - Wikipedia\nhttps://en.wikipedia.org/wiki/Foo_Fighters\n");
        assertThat(steps.get(1).get("output").asString()).contains("formed in Seattle in 1994 by Dave Grohl")
                .doesNotContain("Cookie settings");
        assertThat(steps.get(2).get("sources").findValuesAsString("url"))
                .contains("https://en.wikipedia.org/wiki/Foo_Fighters", WEB.url("/pages/foo-fighters"));

        List<JsonNode> requests = WEB.modelRequests.stream()
                .filter(r -> r.get("prompt").asString().contains("Who founded Foo Fighters")).toList();
        JsonNode planning = requests.get(0);
        assertThat(planning.get("prompt").asString())
                .startsWith("[INST] <<SYS>>") // bagel: llama-2 chat, detected from the model name
                .contains("DuckDuckGo[input]: Tool that enables the user to search")
                .contains("Question: Who founded Foo Fighters?");
        assertThat(planning.get("model").asString()).isEqualTo("jondurbin/bagel-8x7b-v0.2");
        assertThat(planning.get("stream").asBoolean()).isTrue();
        JsonNode knowledge = requests.stream().filter(r -> r.get("prompt").asString().contains("BEGININPUT"))
                .findFirst().orElseThrow();
        assertThat(knowledge.get("prompt").asString())
                .contains("url: " + WEB.url("/pages/foo-fighters"))
                .contains("Who founded Foo Fighters, and when, given the input blocks of step evidence0 and the input"
                        + " blocks of step evidence1?")
                .contains("Don't make up answers if you don't know.");
    }

    @Test
    void theEventStreamShowsToolsStartingWhileThePlanIsStillBeingWritten() {
        List<ServerSentEvent<Map<String, Object>>> events = client().post().uri("/api/v1/runs")
                .accept(MediaType.TEXT_EVENT_STREAM).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", "Who founded Foo Fighters, in short?"))
                .exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() { })
                .getResponseBody().collectList().block(Duration.ofSeconds(60));

        List<String> names = events.stream().map(ServerSentEvent::event).toList();
        assertThat(names.get(0)).isEqualTo("run-started");
        assertThat(names.get(names.size() - 1)).isEqualTo("run-finished");
        int firstToolCall = names.indexOf("step-started");
        int planWritten = names.indexOf("plan-completed");
        assertThat(firstToolCall).isPositive();
        // Streaming execution: DuckDuckGo was called before the model finished writing the plan.
        assertThat(firstToolCall).isLessThan(planWritten);
        @SuppressWarnings("unchecked")
        Map<String, Object> finished = (Map<String, Object>) events.get(events.size() - 1).data().get("data");
        assertThat(finished.get("answer")).isEqualTo(LocalWeb.ANSWER);
    }
}
