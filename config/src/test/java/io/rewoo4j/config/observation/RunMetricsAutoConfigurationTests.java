package io.rewoo4j.config.observation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rewoo4j.config.agent.AgentAutoConfiguration;
import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.config.tools.ToolsAutoConfiguration;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.core.event.RunListener;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.planner.prompt.PromptFormat;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class RunMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ModelAutoConfiguration.class, ToolsAutoConfiguration.class,
                    AgentAutoConfiguration.class, RunMetricsAutoConfiguration.class))
            .withPropertyValues("rewoo.tools.duckduckgo.enabled=false", "rewoo.tools.scraper.enabled=false");

    @Test
    void withBootsMetricsTheListenerRecordsIntoTheApplicationsRegistry() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(RunMetrics.class);
                    // what AgentAutoConfiguration does once it passes the RunListener beans to the builder
                    LanguageModel model = request -> Flux.just(
                            ":evidence0: = HyperlinkExtractor[https://example.org/x]\nAnswer: :evidence0:");
                    RewooAgent agent = RewooAgent.builder().model(model).promptFormat(PromptFormat.MISTRAL)
                            .executor(context.getBean(PlanExecutor.class))
                            .listeners(context.getBeanProvider(RunListener.class).orderedStream().toList())
                            .build();
                    StepVerifier.create(agent.run("Which links?"))
                            .assertNext(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED))
                            .verifyComplete();

                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get(RunMetrics.RUNS).tag("status", "succeeded").timer().count()).isEqualTo(1);
                    assertThat(registry.get(RunMetrics.STEPS).tag("tool", "HyperlinkExtractor").timer().count())
                            .isEqualTo(1);
                });
    }

    @Test
    void metricsCanBeSwitchedOffWithBootsMeterFilters() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
                .withPropertyValues("management.metrics.enable.rewoo.steps=false")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find(RunMetrics.RUNS_ACTIVE).gauge()).isNotNull();
                    RunMetrics metrics = context.getBean(RunMetrics.class);
                    LanguageModel model = request -> Flux.just(":evidence0: = HyperlinkExtractor[https://e.org/]\n");
                    StepVerifier.create(RewooAgent.builder().model(model).promptFormat(PromptFormat.MISTRAL)
                                    .executor(context.getBean(PlanExecutor.class)).listener(metrics).build()
                                    .run("q"))
                            .expectNextCount(1).verifyComplete();
                    assertThat(registry.find(RunMetrics.RUNS).timer()).isNotNull();
                    assertThat(registry.find(RunMetrics.STEPS).timer()).isNull();
                });
    }

    @Test
    void aUserMeterRegistryIsEnough() {
        runner.withUserConfiguration(UserRegistry.class).run(context -> {
            assertThat(context).hasSingleBean(RunMetrics.class);
            assertThat(context.getBean(SimpleMeterRegistry.class).find(RunMetrics.RUNS_ACTIVE).gauge()).isNotNull();
        });
    }

    @Test
    void withoutAMeterRegistryOrMicrometerThereIsNoListener() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RunMetrics.class));
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RunMetrics.class));
    }

    @Test
    void aUserRunMetricsBeanReplacesOurs() {
        runner.withUserConfiguration(UserRegistry.class, OwnMetrics.class)
                .run(context -> assertThat(context.getBean(RunMetrics.class)).isSameAs(OwnMetrics.METRICS));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserRegistry {
        @Bean
        SimpleMeterRegistry simpleMeterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnMetrics {
        static final RunMetrics METRICS = new RunMetrics(new SimpleMeterRegistry(),
                io.rewoo4j.core.tool.ToolRegistry.of());

        @Bean
        RunMetrics myRunMetrics() {
            return METRICS;
        }
    }
}
