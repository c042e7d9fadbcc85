package io.rewoo4j.config.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.rewoo4j.config.agent.AgentAutoConfiguration;
import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.config.tools.ToolsAutoConfiguration;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.model.LanguageModel;
import reactor.core.publisher.Flux;

class RewooActuatorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ModelAutoConfiguration.class, ToolsAutoConfiguration.class,
                    AgentAutoConfiguration.class, RewooActuatorAutoConfiguration.class))
            .withPropertyValues("rewoo.tools.duckduckgo.enabled=false", "rewoo.tools.scraper.enabled=false");

    private static Health health(org.springframework.context.ApplicationContext context, String bean) {
        return context.getBean(bean, HealthIndicator.class).health();
    }

    @Test
    void withoutAModelTheModelIsUpButUnavailableWithTheReason() {
        runner.run(context -> {
            Health health = health(context, "modelHealthIndicator");
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("available", false)
                    .containsEntry("provider", "none")
                    .containsEntry("model", "none")
                    .containsEntry("promptFormat", "llama-2")
                    .doesNotContainKeys("backend", "device");
            assertThat((String) health.getDetails().get("reason")).contains("rewoo.model.provider");
        });
    }

    @Test
    void aConfiguredRemoteModelIsAvailableAndDescribedWithoutItsKey() {
        runner.withPropertyValues("rewoo.model.provider=openai", "rewoo.model.base-url=http://127.0.0.1:8000",
                        "rewoo.model.name=TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ", "rewoo.model.api-key=s3cret")
                .run(context -> {
                    Health health = health(context, "modelHealthIndicator");
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails())
                            .containsEntry("available", true)
                            .containsEntry("provider", "openai")
                            .containsEntry("model", "openai http://127.0.0.1:8000 TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ")
                            .containsEntry("promptFormat", "mistral")
                            .doesNotContainKey("reason");
                    assertThat(health.getDetails().values()).noneMatch(v -> String.valueOf(v).contains("s3cret"));
                });
    }

    @Test
    void theEmbeddedProviderReportsItsBackendAndTheRuntimeReportsWhereItRuns() {
        // A stand-in model bean: there is no checkpoint at /models/bagel to load.
        LanguageModel standIn = request -> Flux.empty();
        runner.withPropertyValues("rewoo.model.provider=embedded", "rewoo.model.path=/models/bagel",
                "rewoo.model.backend=cuda").withBean(LanguageModel.class, () -> standIn).run(context -> {
            Health health = health(context, "modelHealthIndicator");
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("provider", "embedded").containsEntry("backend", "cuda");
        });
        runner.withPropertyValues("rewoo.model.provider=embedded", "rewoo.model.path=/models/bagel")
                .withBean(LanguageModel.class, () -> standIn)
                .withBean(EmbeddedModelHealth.class, () -> () -> new EmbeddedModelHealth.State(
                        EmbeddedModelHealth.Phase.LOADING, "cuda", "NVIDIA H100 80GB HBM3", "layer 12 of 32"))
                .run(context -> {
                    Health health = health(context, "modelHealthIndicator");
                    assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                    assertThat(health.getDetails()).containsEntry("phase", "loading").containsEntry("backend", "cuda")
                            .containsEntry("device", "NVIDIA H100 80GB HBM3").containsEntry("detail", "layer 12 of 32");
                });
        runner.withBean(EmbeddedModelHealth.class, () -> () -> new EmbeddedModelHealth.State(
                        EmbeddedModelHealth.Phase.FAILED, "cuda", null, "out of memory"))
                .run(context -> assertThat(health(context, "modelHealthIndicator").getStatus()).isEqualTo(Status.DOWN));
    }

    @Test
    void theToolsIndicatorListsTheToolsAndTheCircuitBreakersThatAreNotClosed() {
        runner.run(context -> {
            Health health = health(context, "toolsHealthIndicator");
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("count", 2)
                    .containsEntry("names", java.util.List.of("HyperlinkExtractor", "KnowledgeModel"))
                    .containsEntry("openCircuitBreakers", Map.of());

            context.getBean(PlanExecutor.class).resilience().circuitBreaker("KnowledgeModel").orElseThrow()
                    .transitionToOpenState();

            assertThat(health(context, "toolsHealthIndicator").getDetails())
                    .containsEntry("openCircuitBreakers", Map.of("KnowledgeModel", "OPEN"));
            assertThat(health(context, "toolsHealthIndicator").getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void theInfoEndpointGetsTheModelAndTheTools() {
        runner.run(context -> {
            Info.Builder builder = new Info.Builder();
            context.getBean("rewooInfoContributor", InfoContributor.class).contribute(builder);
            @SuppressWarnings("unchecked")
            Map<String, Object> rewoo = (Map<String, Object>) builder.build().getDetails().get("rewoo");
            assertThat(rewoo).containsEntry("promptFormat", "llama-2")
                    .containsEntry("tools", java.util.List.of("HyperlinkExtractor", "KnowledgeModel"))
                    .containsEntry("model", Map.of("available", false, "description", "none"));
        });
    }

    @Test
    void eachPieceCanBeSwitchedOffOrReplaced() {
        runner.withPropertyValues("management.health.model.enabled=false", "management.health.tools.enabled=false",
                        "management.info.rewoo.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ModelHealthIndicator.class)
                        .doesNotHaveBean(ToolsHealthIndicator.class).doesNotHaveBean(RewooInfoContributor.class));
        runner.withUserConfiguration(OwnModelHealth.class).run(context -> {
            assertThat(context).doesNotHaveBean(ModelHealthIndicator.class).hasSingleBean(ToolsHealthIndicator.class);
            assertThat(health(context, "modelHealthIndicator").getStatus()).isEqualTo(Status.UNKNOWN);
        });
    }

    @Test
    void withoutTheActuatorOnTheClasspathNothingIsAdded() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class, InfoContributor.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(ModelHealthIndicator.class)
                            .doesNotHaveBean(ToolsHealthIndicator.class).doesNotHaveBean(RewooInfoContributor.class);
                });
    }

    @Test
    void withoutTheAgentConfigurationThereIsNoToolsIndicator() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ModelAutoConfiguration.class,
                        RewooActuatorAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(ModelHealthIndicator.class)
                            .doesNotHaveBean(ToolsHealthIndicator.class);
                    assertThat(context).hasSingleBean(RewooInfoContributor.class);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnModelHealth {
        @Bean
        HealthIndicator modelHealthIndicator() {
            return () -> Health.unknown().build();
        }
    }
}
