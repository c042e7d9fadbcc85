package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.testing.ScriptedModel;
import io.rewoo4j.planner.prompt.PromptFormat;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class FunctionCallingAgentTest {

    private static final String INPUT = "I want to know how many times 'Python' is mentioned in my text file.";

    private final AtomicInteger invocations = new AtomicInteger();

    private final AgentFunction fileAnalytics = AgentFunction.of(FunctionPromptTest.FILE_ANALYTICS, params -> {
        invocations.incrementAndGet();
        return Mono.just(Map.of("count", 3, "keyword", params.asJson().at("/filters/keyword").stringValue()));
    });

    private final FunctionDispatcher dispatcher = new FunctionDispatcher(FunctionRegistry.of(fileAnalytics));
    private final ScriptedModel model = new ScriptedModel();
    private final FunctionCallingAgent agent = new FunctionCallingAgent(model, PromptFormat.LLAMA2_CHAT, dispatcher);

    @Test
    void promptsTheModelReadsItsChoiceAndInvokesIt() {
        model.then("Here you go:\n```json\n{\n  \"function\": \"file_analytics\",\n  \"params\": {\n",
                "    \"action\": \"count_occurrences\",\n    \"filters\": {\n      \"keyword\": \"Python\"\n",
                "    }\n  }\n}\n```");

        StepVerifier.create(agent.call(INPUT))
                .assertNext(result -> {
                    assertThat(result.function()).isEqualTo("file_analytics");
                    assertThat(result.params().get("action").stringValue()).isEqualTo("count_occurrences");
                    assertThat(result.result()).isEqualTo(Map.of("count", 3, "keyword", "Python"));
                })
                .verifyComplete();

        GenerationRequest request = model.requests().get(0);
        assertThat(request.prompt()).isEqualTo(PromptFormat.LLAMA2_CHAT.wrap(null,
                FunctionPrompt.instruction(INPUT, dispatcher.registry().specs())));
        assertThat(request.options().stopSequences())
                .containsExactlyElementsOf(FunctionPrompt.stopSequences(PromptFormat.LLAMA2_CHAT));
        assertThat(invocations).hasValue(1);
    }

    @Test
    void stopsTheModelOnceTheCallIsWritten() {
        AtomicBoolean cancelled = new AtomicBoolean();
        model.then(Flux.concat(
                Flux.just("{\"function\": \"file_analytics\", ", "\"params\": {\"action\": \"count_occurrences\"}",
                        "}\nI chose file_analytics because"),
                Flux.<String>never()).doOnCancel(() -> cancelled.set(true)));

        StepVerifier.create(agent.select(INPUT))
                .assertNext(call -> assertThat(call.params().get("action").stringValue()).isEqualTo("count_occurrences"))
                .expectComplete()
                .verify(Duration.ofSeconds(10)); // bounded: without the early stop the model never ends
        assertThat(cancelled).isTrue();
        assertThat(invocations).hasValue(0);
    }

    @Test
    void readsAYamlAnswer() {
        model.then("function: file_analytics\nparams:\n  action: count_occurrences\n  filters:\n    keyword: Python\n");
        FunctionCallingAgent yamlAgent = agent.withAnswerFormat(FunctionPrompt.AnswerFormat.YAML)
                .withGenerationOptions(GenerationOptions.defaults().withMaxTokens(200));

        StepVerifier.create(yamlAgent.call(INPUT))
                .assertNext(result -> assertThat(result.params().at("/filters/keyword").stringValue())
                        .isEqualTo("Python"))
                .verifyComplete();
        GenerationRequest request = model.requests().get(0);
        assertThat(request.prompt()).contains("Provide your response in YAML format.");
        assertThat(request.options().maxTokens()).isEqualTo(200);
    }

    @Test
    void anAnswerWithoutACallInvokesNothing() {
        model.then("I'm not sure which function fits.");
        StepVerifier.create(agent.call(INPUT))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(DispatchException.NoFunctionCall.class)
                        .hasMessageContaining("I'm not sure which function fits."))
                .verify();
        assertThat(invocations).hasValue(0);
    }

    @Test
    void aHallucinatedFunctionInvokesNothing() {
        model.then("{\"function\": \"word_count\", \"params\": {\"word\": \"Python\"}}");
        StepVerifier.create(agent.call(INPUT))
                .expectError(DispatchException.UnknownFunction.class)
                .verify();
        assertThat(invocations).hasValue(0);
    }

    @Test
    void theModelsFailureIsPassedOnUnchanged() {
        IllegalStateException down = new IllegalStateException("model server unreachable");
        model.then(Flux.error(down));
        StepVerifier.create(agent.call(INPUT)).expectErrorMatches(e -> e == down).verify();
        assertThat(invocations).hasValue(0);
    }
}
