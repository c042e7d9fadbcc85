package io.rewoo4j.config.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.rewoo4j.config.observation.RunMetrics;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.core.model.LanguageModel;
import reactor.test.StepVerifier;

/**
 * The actuator endpoints of the application as it ships: the full auto-configuration, the defaults of its
 * {@code application.properties} (what is exposed, details shown), on a real server. The REST API's own
 * auto-configuration is left out: it is tested on its own.
 */
class ActuatorEndpointsTests {

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration(excludeName = "io.rewoo4j.config.web.WebAutoConfiguration")
    static class App {
    }

    private static ConfigurableApplicationContext context;
    private static WebTestClient client;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(App.class).web(WebApplicationType.REACTIVE)
                .properties("server.port=0", "server.address=127.0.0.1", "logging.level.root=warn",
                        "rewoo.tools.duckduckgo.enabled=false", "rewoo.tools.scraper.enabled=false")
                .run();
        String port = context.getEnvironment().getProperty("local.server.port");
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void healthShowsTheModelAndTheToolsAndIsUpWithoutAModel() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.model.status").isEqualTo("UP")
                .jsonPath("$.components.model.details.available").isEqualTo(false)
                .jsonPath("$.components.model.details.reason").value(String.class,
                        reason -> assertThat(reason).contains("rewoo.model.provider"))
                .jsonPath("$.components.tools.details.names[0]").isEqualTo("HyperlinkExtractor")
                .jsonPath("$.components.tools.details.openCircuitBreakers").isEmpty();
    }

    @Test
    void infoNamesTheTools() {
        client.get().uri("/actuator/info").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.rewoo.tools[1]").isEqualTo("KnowledgeModel")
                .jsonPath("$.rewoo.model.available").isEqualTo(false);
    }

    @Test
    void otherEndpointsAreNotExposed() {
        client.get().uri("/actuator/env").exchange().expectStatus().isNotFound();
        client.get().uri("/actuator/beans").exchange().expectStatus().isNotFound();
    }

    @Test
    void prometheusServesTheRunMetricsOnceRunsHaveBeenRecorded() {
        // the agent bean gets the RunListener beans once AgentAutoConfiguration passes them; here the test wires it
        LanguageModel noModel = request -> reactor.core.publisher.Flux.error(new AssertionError("no model call"));
        RewooAgent agent = RewooAgent.builder().model(noModel).promptFormat(PromptFormat.MISTRAL)
                .executor(context.getBean(PlanExecutor.class)).listener(context.getBean(RunMetrics.class)).build();
        StepVerifier.create(agent.execute(new PlanParser().parse(
                        ":evidence0: = HyperlinkExtractor[see https://example.org/a]\nAnswer: :evidence0:"), null))
                .assertNext(r -> assertThat(r.answer()).isEqualTo("https://example.org/a"))
                .verifyComplete();

        String scrape = client.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(lines(scrape, "rewoo_runs_seconds_count{")).singleElement()
                .satisfies(l -> assertThat(l).contains("status=\"succeeded\""))
                .satisfies(l -> assertThat(value(l)).isEqualTo(1));
        assertThat(lines(scrape, "rewoo_steps_seconds_count{")).singleElement()
                .satisfies(l -> assertThat(l).contains("tool=\"HyperlinkExtractor\"", "status=\"succeeded\""));
        assertThat(lines(scrape, "rewoo_runs_active ")).singleElement().satisfies(l -> assertThat(value(l)).isZero());
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static List<String> lines(String scrape, String prefix) {
        return Arrays.stream(scrape.split("\n")).filter(l -> l.startsWith(prefix)).toList();
    }
}
