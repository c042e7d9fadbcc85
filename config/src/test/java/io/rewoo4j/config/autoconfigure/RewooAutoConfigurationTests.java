package io.rewoo4j.config.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.rewoo4j.config.agent.AgentAutoConfiguration;
import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.config.model.ModelStatus;
import io.rewoo4j.config.model.ModelUnavailableException;
import io.rewoo4j.config.tools.ToolsAutoConfiguration;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.tools.model.OpenAiCompatibleModel;
import io.rewoo4j.tools.model.TgiModel;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RewooAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
            ModelAutoConfiguration.class, ToolsAutoConfiguration.class, AgentAutoConfiguration.class));

    @Test
    void withoutAModelTheFourToolsAndTheAgentStillExistAndModelCallsSayWhatToConfigure() {
        runner.run(context -> {
            assertThat(context.getBean(ToolRegistry.class).names())
                    .containsExactlyInAnyOrder("DuckDuckGo", "TextScraper", "HyperlinkExtractor", "KnowledgeModel");
            assertThat(context).hasSingleBean(RewooAgent.class);
            ModelStatus status = context.getBean(ModelStatus.class);
            assertThat(status.available()).isFalse();
            assertThat(status.reason()).contains("rewoo.model.provider");
            StepVerifier.create(context.getBean(LanguageModel.class).generate(GenerationRequest.of("hi")))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelUnavailableException.class)
                            .hasMessageContaining("rewoo.model.base-url"))
                    .verify();
            assertThat(context.getBean(PromptFormat.class)).isEqualTo(PromptFormat.LLAMA2_CHAT);
        });
    }

    @Test
    void anOpenAiCompatibleServerIsSelectedByProperties() {
        runner.withPropertyValues("rewoo.model.provider=openai", "rewoo.model.base-url=http://127.0.0.1:8000",
                        "rewoo.model.name=TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ")
                .run(context -> {
                    assertThat(context.getBean(LanguageModel.class)).isInstanceOf(OpenAiCompatibleModel.class);
                    assertThat(context.getBean(ModelStatus.class).available()).isTrue();
                    assertThat(context.getBean(PromptFormat.class)).isEqualTo(PromptFormat.MISTRAL);
                });
    }

    @Test
    void tgiWithAnExplicitPromptFormat() {
        runner.withPropertyValues("rewoo.model.provider=tgi", "rewoo.model.base-url=http://127.0.0.1:3000",
                        "rewoo.model.prompt-format=alpaca")
                .run(context -> {
                    assertThat(context.getBean(LanguageModel.class)).isInstanceOf(TgiModel.class);
                    assertThat(context.getBean(PromptFormat.class)).isEqualTo(PromptFormat.ALPACA);
                });
    }

    @Test
    void aRemoteProviderWithoutABaseUrlIsReportedNotGuessed() {
        runner.withPropertyValues("rewoo.model.provider=openai").run(context -> {
            assertThat(context.getBean(ModelStatus.class).available()).isFalse();
            assertThat(context.getBean(ModelStatus.class).reason()).contains("rewoo.model.base-url");
        });
    }

    @Test
    void anUnknownPromptFormatFailsStartupNamingTheAcceptedOnes() {
        runner.withPropertyValues("rewoo.model.prompt-format=gpt4").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("rewoo.model.prompt-format=gpt4")
                    .hasMessageContaining("alpaca, vicuna, llama-2, chatml, mistral");
        });
    }

    @Test
    void toolsCanBeSwitchedOffAndUserToolsAreRegistered() {
        runner.withPropertyValues("rewoo.tools.duckduckgo.enabled=false", "rewoo.tools.scraper.enabled=false")
                .withUserConfiguration(UserTools.class)
                .run(context -> assertThat(context.getBean(ToolRegistry.class).names())
                        .containsExactlyInAnyOrder("HyperlinkExtractor", "KnowledgeModel", "Calculator"));
    }

    @Test
    void aUserModelReplacesTheConfiguredOne() {
        runner.withPropertyValues("rewoo.model.provider=openai", "rewoo.model.base-url=http://127.0.0.1:8000")
                .withUserConfiguration(UserModel.class)
                .run(context -> assertThat(context.getBean(LanguageModel.class)).isSameAs(UserModel.MODEL));
    }

    @Test
    void toolPoliciesComeFromPropertiesWithPerToolOverrides() {
        runner.withPropertyValues("rewoo.agent.tool-policy.timeout=20s", "rewoo.agent.tool-policy.max-attempts=2",
                        "rewoo.agent.tools.DuckDuckGo.timeout=5s", "rewoo.agent.tools.DuckDuckGo.max-concurrency=2",
                        "rewoo.agent.max-concurrency=16")
                .run(context -> {
                    PlanExecutor executor = context.getBean(PlanExecutor.class);
                    assertThat(executor.maxConcurrency()).isEqualTo(16);
                    var policies = context.getBean(io.rewoo4j.config.agent.AgentProperties.class).toolPolicies();
                    assertThat(policies.policyFor("DuckDuckGo").timeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(policies.policyFor("DuckDuckGo").maxConcurrency()).isEqualTo(2);
                    assertThat(policies.policyFor("DuckDuckGo").retry().maxAttempts()).isEqualTo(2);
                    assertThat(policies.policyFor("TextScraper").timeout()).isEqualTo(Duration.ofSeconds(20));
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserTools {
        @Bean
        Tool calculator() {
            return Tool.of("Calculator", "Evaluates arithmetic.", r -> Mono.just(Evidence.of("4")));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserModel {
        static final LanguageModel MODEL = request -> Flux.just("Plan: none");

        @Bean
        LanguageModel myModel() {
            return MODEL;
        }
    }
}
