package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.rewoo4j.core.function.DispatchException.Kind;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

class FunctionDispatcherTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AtomicInteger invocations = new AtomicInteger();
    private final AtomicReference<FunctionParams> received = new AtomicReference<>();

    private final AgentFunction weather = AgentFunction.builder("get_weather")
            .description("The current weather in a city.")
            .required("location", ParameterSchema.string("The city."))
            .optional("unit", ParameterSchema.string("The unit.").withEnum("celsius", "fahrenheit"))
            .reactive(params -> {
                invocations.incrementAndGet();
                received.set(params);
                return Mono.just(Map.of("location", params.string("location"), "temperature", 21));
            });

    private final FunctionDispatcher dispatcher = new FunctionDispatcher(FunctionRegistry.of(weather,
            AgentFunction.builder("get_time").description("The time.").reactive(p -> Mono.just("12:00"))));

    @Test
    void invokesTheFunctionAndReturnsFunctionParamsAndResult() {
        StepVerifier.create(dispatcher.dispatch(FunctionCall.of("get_weather", Map.of("location", "Paris"))))
                .assertNext(result -> {
                    assertThat(result.function()).isEqualTo("get_weather");
                    assertThat(result.params()).isEqualTo(JSON.readTree("{\"location\": \"Paris\"}"));
                    assertThat(result.result()).isEqualTo(Map.of("location", "Paris", "temperature", 21));
                })
                .verifyComplete();
        assertThat(invocations).hasValue(1);
        assertThat(received.get().string("location")).isEqualTo("Paris");
        assertThat(received.get().optionalString("unit")).isEmpty();
    }

    @Test
    void theResultSerialisesAsFunctionParamsResult() {
        DispatchResult result = dispatcher.dispatchJson("{\"function\": \"get_time\", \"params\": {}}").block();
        assertThat(JSON.writeValueAsString(result))
                .isEqualTo("{\"function\":\"get_time\",\"params\":{},\"result\":\"12:00\"}");
    }

    @Test
    void resolvesANameInAnotherCaseToTheRegisteredName() {
        StepVerifier.create(dispatcher.dispatchJson("{\"function\": \"GET_Weather\", \"params\": {\"location\": \"Oslo\"}}"))
                .assertNext(result -> assertThat(result.function()).isEqualTo("get_weather"))
                .verifyComplete();
    }

    @Test
    void isLazy() {
        Mono<DispatchResult> dispatch = dispatcher.dispatch(Map.of("function", "get_weather",
                "params", Map.of("location", "Rome")));
        assertThat(invocations).hasValue(0);
        StepVerifier.create(dispatch).expectNextCount(1).verifyComplete();
        StepVerifier.create(dispatch).expectNextCount(1).verifyComplete();
        assertThat(invocations).hasValue(2);
    }

    @Test
    void anUnknownFunctionInvokesNothingAndNamesTheKnownOnes() {
        StepVerifier.create(dispatcher.dispatch(FunctionCall.of("get_wether", Map.of("location", "Paris"))))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(DispatchException.UnknownFunction.class)
                            .hasMessage("unknown function 'get_wether'; known functions: get_weather, get_time");
                    DispatchException.UnknownFunction unknown = (DispatchException.UnknownFunction) error;
                    assertThat(unknown.function()).isEqualTo("get_wether");
                    assertThat(unknown.known()).containsExactly("get_weather", "get_time");
                    assertThat(unknown.kind()).isEqualTo(Kind.UNKNOWN_FUNCTION);
                })
                .verify();
        assertThat(invocations).hasValue(0);
    }

    @Test
    void invalidParamsInvokeNothingAndListEveryViolation() {
        StepVerifier.create(dispatcher.dispatchJson(
                        "{\"function\": \"get_weather\", \"params\": {\"unit\": \"kelvin\", \"when\": \"now\"}}"))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(DispatchException.InvalidParams.class);
                    DispatchException.InvalidParams invalid = (DispatchException.InvalidParams) error;
                    assertThat(invalid.kind()).isEqualTo(Kind.INVALID_PARAMS);
                    assertThat(invalid.function()).isEqualTo("get_weather");
                    assertThat(invalid.violations()).extracting(ParamViolation::path)
                            .containsExactly("/params/location", "/params/unit", "/params/when");
                    assertThat(invalid.getMessage()).startsWith("invalid params for function 'get_weather': "
                            + "/params/location: required string is missing; /params/unit: expected one of "
                            + "\"celsius\", \"fahrenheit\", got string \"kelvin\"; /params/when: unknown property");
                })
                .verify();
        assertThat(invocations).hasValue(0);
    }

    @Test
    void textWithNoCallInvokesNothing() {
        StepVerifier.create(dispatcher.dispatchModelOutput("I don't know which function to use."))
                .expectError(DispatchException.NoFunctionCall.class).verify();
        StepVerifier.create(dispatcher.dispatchJson("{\"function\": \"get_weather\"} trailing"))
                .expectError(DispatchException.NoFunctionCall.class).verify();
        StepVerifier.create(dispatcher.dispatch(Map.of("name", "get_weather")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DispatchException.NoFunctionCall.class)
                        .hasMessageContaining("\"function\""))
                .verify();
        assertThat(invocations).hasValue(0);
    }

    @Test
    void dispatchesAModelsAnswer() {
        StepVerifier.create(dispatcher.dispatchModelOutput(
                        "I'll check the weather.\n```json\n{\"function\": \"get_weather\", \"params\": "
                                + "{\"location\": \"Paris\", \"unit\": \"celsius\"}}\n```"))
                .assertNext(result -> assertThat(result.params().get("unit").stringValue()).isEqualTo("celsius"))
                .verifyComplete();
        assertThat(invocations).hasValue(1);
    }

    @Test
    void aFailingFunctionIsFunctionFailedWithTheCause() {
        IllegalStateException boom = new IllegalStateException("weather service down");
        FunctionDispatcher failing = new FunctionDispatcher(FunctionRegistry.of(
                AgentFunction.builder("f").reactive(p -> Mono.error(boom)),
                AgentFunction.builder("g").reactive(p -> {
                    throw new IllegalArgumentException("thrown");
                })));
        StepVerifier.create(failing.dispatch(FunctionCall.of("f", Map.of())))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(DispatchException.FunctionFailed.class)
                            .hasMessage("function 'f' failed: weather service down").hasCause(boom);
                    assertThat(((DispatchException) error).kind()).isEqualTo(Kind.FUNCTION_FAILED);
                    assertThat(((DispatchException) error).kind().functionInvoked()).isTrue();
                })
                .verify();
        StepVerifier.create(failing.dispatch(FunctionCall.of("g", Map.of())))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(DispatchException.FunctionFailed.class)
                        .hasRootCauseMessage("thrown"))
                .verify();
    }

    @Test
    void aFunctionThatEmitsNothingHasANullResult() {
        FunctionDispatcher quiet = new FunctionDispatcher(FunctionRegistry.of(
                AgentFunction.builder("notify").blocking(p -> null)));
        StepVerifier.create(quiet.dispatch(FunctionCall.of("notify", Map.of())))
                .assertNext(result -> assertThat(result.result()).isNull())
                .verifyComplete();
    }

    @Test
    void aBlockingFunctionRunsOffTheCallingThread() {
        String caller = Thread.currentThread().getName();
        FunctionDispatcher blocking = new FunctionDispatcher(FunctionRegistry.of(
                AgentFunction.builder("where").blocking(p -> Thread.currentThread().getName())));
        StepVerifier.create(blocking.dispatch(FunctionCall.of("where", Map.of())))
                .assertNext(result -> assertThat((String) result.result()).isNotEqualTo(caller)
                        .contains("boundedElastic"))
                .verifyComplete();
    }

    @Test
    void aFunctionPastTheTimeoutIsCancelledAndFails() {
        AtomicBoolean cancelled = new AtomicBoolean();
        FunctionDispatcher slow = new FunctionDispatcher(FunctionRegistry.of(AgentFunction.builder("slow")
                .reactive(p -> Mono.never().doOnCancel(() -> cancelled.set(true)))))
                .withTimeout(Duration.ofSeconds(5));
        StepVerifier.withVirtualTime(() -> slow.dispatch(FunctionCall.of("slow", Map.of())))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(4))
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(DispatchException.FunctionFailed.class)
                        .hasCauseInstanceOf(TimeoutException.class))
                .verify();
        assertThat(cancelled).isTrue();
    }

    @Test
    void validateChecksWithoutInvoking() {
        ValidatedCall call = dispatcher.validate(FunctionCall.of("get_weather", Map.of("location", "Bern")));
        assertThat(call.function()).isSameAs(weather);
        assertThat(invocations).hasValue(0);
        StepVerifier.create(dispatcher.invoke(call)).expectNextCount(1).verifyComplete();
        assertThat(invocations).hasValue(1);
        assertThatThrownBy(() -> dispatcher.validate(FunctionCall.of("get_weather", Map.of())))
                .isInstanceOf(DispatchException.InvalidParams.class);
    }

    @Test
    void onlyAFailedInvocationIsAKindThatInvokedSomething() {
        assertThat(List.of(Kind.values())).filteredOn(Kind::functionInvoked).containsExactly(Kind.FUNCTION_FAILED);
    }
}
