package io.rewoo4j.config.annotation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.rewoo4j.config.agent.AgentAutoConfiguration;
import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.config.tools.ToolsAutoConfiguration;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.run.StepResult;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanParser;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

class AnnotatedToolsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ModelAutoConfiguration.class, ToolsAutoConfiguration.class,
                    AgentAutoConfiguration.class, AnnotatedToolsAutoConfiguration.class))
            .withPropertyValues("rewoo.tools.duckduckgo.enabled=false", "rewoo.tools.scraper.enabled=false");

    /** A plain service bean: the kind of class users annotate. */
    public static class CurrencyService {
        public enum Currency { EUR, USD, NOK }

        @RewooTool(name = "Convert", description = "Converts an amount between currencies.")
        public String convert(@ToolParam(description = "the amount") double amount, Currency from, Currency to) {
            return String.format(java.util.Locale.ROOT, "%.2f %s", amount * (from == to ? 1 : 2), to);
        }

        @RewooTool(description = "Names the currency of a country.")
        public Mono<String> currencyOf(String country) {
            return Mono.just(country.contains("Norway") ? "NOK" : "EUR");
        }

        @RewooTool(description = "Looks up an exchange rate.")
        public String rate(String pair) {
            throw new IllegalStateException("the rate service is down for " + pair);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Currencies {
        @Bean
        CurrencyService currencyService() {
            return new CurrencyService();
        }
    }

    @Test
    void annotatedMethodsJoinTheRegistryBesideToolBeansWithTheirSchemas() {
        runner.withUserConfiguration(Currencies.class).run(context -> {
            ToolRegistry registry = context.getBean(ToolRegistry.class);
            assertThat(registry.names()).containsExactlyInAnyOrder("HyperlinkExtractor", "KnowledgeModel",
                    "Convert", "CurrencyOf", "Rate");
            Tool convert = registry.find("convert").orElseThrow();
            assertThat(convert).isInstanceOf(MethodTool.class);
            assertThat(JsonMapper.shared().readTree(convert.inputSchema().orElseThrow()))
                    .isEqualTo(JsonMapper.shared().readTree("""
                            {"type": "object",
                             "properties": {"amount": {"type": "number", "description": "the amount"},
                                            "from": {"type": "string", "enum": ["EUR", "USD", "NOK"]},
                                            "to": {"type": "string", "enum": ["EUR", "USD", "NOK"]}},
                             "required": ["amount", "from", "to"], "additionalProperties": false}"""));
            assertThat(registry.find("CurrencyOf").orElseThrow().inputSchema()).isEmpty();
            assertThat(context.getBeansOfType(Tool.class)).containsKey("rewooTool.Convert");
        });
    }

    @Test
    void aParsedPlanRunsAnnotatedToolsWithEvidenceFlowingBetweenThem() {
        runner.withUserConfiguration(Currencies.class).run(context -> {
            String plan = """
                    Plan: Find the currency of Norway.
                    :evidence0: = CurrencyOf[Norway]
                    Plan: Convert 10 EUR into it.
                    :evidence1: = Convert[{"amount": 10, "from": "EUR", "to": ":evidence0:"}]
                    Answer: :evidence1:""";
            ExecutionResult result = execute(context.getBean(PlanExecutor.class), plan);
            assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(result.outputsById()).containsEntry("evidence0", "NOK").containsEntry("evidence1", "20.00 NOK");
        });
    }

    @Test
    void badJsonInputFailsTheStepAsBadInputWithoutRetrying() {
        // the default policy retries failures up to 3 attempts: bad input must not be retried
        runner.withUserConfiguration(Currencies.class).run(context -> {
            ExecutionResult result = execute(context.getBean(PlanExecutor.class),
                    ":evidence0: = Convert[{\"amount\": ten, \"from\": \"EUR\"}]\nAnswer: :evidence0:");
            StepResult step = result.step("evidence0").orElseThrow();
            assertThat(step.status()).isEqualTo(StepStatus.FAILED);
            assertThat(step.attempts()).isEqualTo(1);
            assertThat(step.error().kind()).isEqualTo(StepError.Kind.TOOL_ERROR);
            assertThat(step.error().message()).startsWith("Convert failed: Convert expects a JSON object")
                    .contains("the input is not JSON");

            StepResult wrongValue = execute(context.getBean(PlanExecutor.class),
                    ":evidence0: = Convert[{\"amount\": 1, \"from\": \"EUR\", \"to\": \"GBP\"}]")
                    .step("evidence0").orElseThrow();
            assertThat(wrongValue.attempts()).isEqualTo(1);
            assertThat(wrongValue.error().message())
                    .contains("parameter 'to' must be one of EUR, USD, NOK, not \"GBP\"");
        });
    }

    @Test
    void aThrowingMethodFailsItsStepWithTheMessageAndSkipsItsDependants() {
        runner.withUserConfiguration(Currencies.class).withPropertyValues("rewoo.agent.tool-policy.max-attempts=1")
                .run(context -> {
                    ExecutionResult result = execute(context.getBean(PlanExecutor.class), """
                            :evidence0: = Rate[EUR/NOK]
                            :evidence1: = Convert[{"amount": :evidence0:, "from": "EUR", "to": "NOK"}]""");
                    assertThat(result.status()).isEqualTo(RunStatus.FAILED);
                    StepResult rate = result.step("evidence0").orElseThrow();
                    assertThat(rate.status()).isEqualTo(StepStatus.FAILED);
                    assertThat(rate.error().message())
                            .isEqualTo("Rate failed: IllegalStateException: the rate service is down for EUR/NOK");
                    assertThat(result.step("evidence1").orElseThrow().status()).isEqualTo(StepStatus.SKIPPED);
                });
    }

    @Test
    void aUserToolRegistryStillWinsAndTheMethodToolsRemainBeans() {
        runner.withUserConfiguration(Currencies.class, OwnRegistry.class).run(context -> {
            assertThat(context.getBean(ToolRegistry.class).names()).containsExactly("Only");
            assertThat(context.getBeansOfType(MethodTool.class)).hasSize(3);
        });
    }

    @Test
    void twoMethodsMakingTheSameToolNameFailStartup() {
        runner.withUserConfiguration(Currencies.class, Clashing.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .hasMessageContaining("two @RewooTool methods make a tool named 'convert'")
                    .hasMessageContaining(CurrencyService.class.getName() + ".convert");
        });
    }

    @Test
    void aMethodThatCannotBeAToolFailsStartupNamingIt() {
        runner.withUserConfiguration(Invalid.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .hasMessageContaining(InvalidTools.class.getName() + ".page returns nothing");
        });
    }

    @Test
    void withoutAnnotatedMethodsNothingIsAdded() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeansOfType(MethodTool.class)).isEmpty();
            assertThat(context.getBean(ToolRegistry.class).names())
                    .containsExactlyInAnyOrder("HyperlinkExtractor", "KnowledgeModel");
        });
    }

    private static ExecutionResult execute(PlanExecutor executor, String plan) {
        ExecutionResult[] out = new ExecutionResult[1];
        StepVerifier.create(executor.run(new PlanParser().parse(plan))).consumeNextWith(r -> out[0] = r)
                .verifyComplete();
        return out[0];
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRegistry {
        @Bean
        ToolRegistry myTools() {
            return ToolRegistry.of(Tool.of("Only", "The only tool.", r -> Mono.just(Evidence.of("x"))));
        }
    }

    public static class OtherConverter {
        @RewooTool(name = "convert", description = "Converts units.")
        public String convertUnits(String text) {
            return text;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Clashing {
        @Bean
        OtherConverter otherConverter() {
            return new OtherConverter();
        }
    }

    public static class InvalidTools {
        @RewooTool(description = "Notifies someone.")
        public void page(String who, String what) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Invalid {
        @Bean
        InvalidTools invalidTools() {
            return new InvalidTools();
        }
    }
}
