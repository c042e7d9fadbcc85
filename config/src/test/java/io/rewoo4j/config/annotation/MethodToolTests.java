package io.rewoo4j.config.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.function.FunctionParams;
import io.rewoo4j.core.function.ToolFunction;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class MethodToolTests {

    enum Unit { CELSIUS, FAHRENHEIT }

    record Forecast(String city, int days, double high) {
    }

    static class WeatherTools {
        volatile String lastThread;

        @RewooTool(description = "Today's weather in a city")
        public String weather(@ToolParam(description = "the city name") String city) {
            lastThread = Thread.currentThread().getName();
            return "sunny in " + city;
        }

        @RewooTool(name = "Forecast", description = "The forecast for a city.")
        public Forecast forecast(@ToolParam(description = "the city") String city,
                                 @ToolParam(description = "how many days", required = false) Integer days,
                                 Unit unit, @ToolParam(required = false) List<String> extras) {
            return new Forecast(city + "/" + unit + "/" + extras, days == null ? 1 : days, 21.5);
        }

        @RewooTool(description = "Adds numbers.")
        public String add(long a, double b, boolean round, BigDecimal c, short s) {
            return String.valueOf(a + b + c.doubleValue() + s) + (round ? "!" : "");
        }

        @RewooTool(description = "Squares an integer.")
        public int square(int n) {
            return n * n;
        }

        @RewooTool(description = "The time.")
        public Mono<String> clock() {
            return Mono.just("noon");
        }

        @RewooTool(description = "Cites.")
        public Mono<Evidence> cite(String text, ToolRequest request) {
            return Mono.just(Evidence.of(text + " @" + request.stepId(), List.of(Source.of("https://example.org/a"))));
        }

        @RewooTool(description = "Echoes the first evidence's sources.")
        public Evidence sources(ToolRequest request) {
            return Evidence.of("from " + request.evidence().keySet(), request.dependencySources());
        }

        @RewooTool(description = "Fails.")
        public String broken(String input) {
            throw new IllegalStateException("backend unreachable for " + input);
        }

        @RewooTool(description = "Rejects its input.")
        public String picky(String input) {
            throw new IllegalArgumentException("not a date: " + input);
        }

        @RewooTool(description = "Fails its Mono.")
        public Mono<String> brokenLater(String input) {
            return Mono.error(new ToolException("quota exhausted", true));
        }

        @RewooTool(description = "Finds nothing.")
        public String nothing(String input) {
            return null;
        }
    }

    private final WeatherTools bean = new WeatherTools();
    private final Map<String, MethodTool> tools = byName(MethodTool.allOf(bean));

    private static Map<String, MethodTool> byName(List<MethodTool> tools) {
        return tools.stream().collect(java.util.stream.Collectors.toMap(Tool::name, t -> t));
    }

    private static JsonNode json(String text) {
        return JsonMapper.shared().readTree(text);
    }

    private Evidence call(String tool, String input) {
        Evidence[] out = new Evidence[1];
        StepVerifier.create(tools.get(tool).execute(ToolRequest.of(input))).consumeNextWith(e -> out[0] = e)
                .verifyComplete();
        return out[0];
    }

    private Throwable failure(String tool, String input) {
        Throwable[] out = new Throwable[1];
        StepVerifier.create(tools.get(tool).execute(ToolRequest.of(input))).consumeErrorWith(e -> out[0] = e).verify();
        return out[0];
    }

    @Test
    void namesDefaultToTheCapitalisedMethodName() {
        assertThat(tools).containsOnlyKeys("Weather", "Forecast", "Add", "Square", "Clock", "Cite", "Sources",
                "Broken", "Picky", "BrokenLater", "Nothing");
        assertThat(tools.get("Weather").description()).isEqualTo("Today's weather in a city");
    }

    @Test
    void aSingleStringParameterTakesTheInputTextAndHasNoSchema() {
        MethodTool weather = tools.get("Weather");
        assertThat(weather.inputSchema()).isEmpty();
        assertThat(weather.toDescription().description()).isEqualTo("Today's weather in a city. Input: the city name.");
        assertThat(call("Weather", "Paris, France").text()).isEqualTo("sunny in Paris, France");
    }

    @Test
    void severalParametersMakeAnObjectSchemaWithTypesEnumsListsAndRequiredOnes() {
        assertThat(json(tools.get("Forecast").inputSchema().orElseThrow())).isEqualTo(json("""
                {"type": "object",
                 "properties": {
                   "city": {"type": "string", "description": "the city"},
                   "days": {"type": "integer", "description": "how many days"},
                   "unit": {"type": "string", "enum": ["CELSIUS", "FAHRENHEIT"]},
                   "extras": {"type": "array", "items": {"type": "string"}}},
                 "required": ["city", "unit"],
                 "additionalProperties": false}"""));
        assertThat(json(tools.get("Add").inputSchema().orElseThrow()).get("properties")).isEqualTo(json("""
                {"a": {"type": "integer"}, "b": {"type": "number"}, "round": {"type": "boolean"},
                 "c": {"type": "number"}, "s": {"type": "integer"}}"""));
        assertThat(json(tools.get("Clock").inputSchema().orElseThrow())).isEqualTo(json("""
                {"type": "object", "properties": {}, "additionalProperties": false}"""));
    }

    @Test
    void thePlannerIsToldWhatJsonToWrite() {
        assertThat(tools.get("Forecast").toDescription().description()).isEqualTo("The forecast for a city. Input: "
                + "JSON {\"city\": string (the city), \"days\": integer (optional; how many days), "
                + "\"unit\": \"CELSIUS\"|\"FAHRENHEIT\", \"extras\": [string] (optional)}.");
        assertThat(tools.get("Clock").toDescription().description()).isEqualTo("The time. Input: none.");
    }

    @Test
    void aJsonInputIsBoundToTheParametersAndAnObjectResultIsWrittenAsJson() {
        Evidence e = call("Forecast", "{\"city\": \"Oslo\", \"days\": 3, \"unit\": \"celsius\", \"extras\": [\"wind\"]}");
        assertThat(json(e.text())).isEqualTo(json("{\"city\": \"Oslo/CELSIUS/[wind]\", \"days\": 3, \"high\": 21.5}"));
        // optional parameters may be missing or null; models' single quotes and unquoted names are accepted
        assertThat(json(call("Forecast", "{city: 'Oslo', unit: 'FAHRENHEIT', days: null}").text()).get("days").asInt())
                .isEqualTo(1);
        assertThat(call("Add", "{\"a\": \"2\", \"b\": 0.5, \"round\": \"true\", \"c\": 1, \"s\": 3.0}").text())
                .isEqualTo("6.5!");
    }

    @Test
    void aToolWithOneParameterAlsoTakesTheBareValue() {
        assertThat(call("Square", "7").text()).isEqualTo("49");
        assertThat(call("Square", "{\"n\": 8}").text()).isEqualTo("64");
        assertThat(failure("Square", "seven")).isInstanceOf(ToolException.class)
                .hasMessageContaining("parameter 'n' must be an integer, not \"seven\"");
    }

    @Test
    void inputThatDoesNotFitIsBadInputNamingEveryProblem() {
        Throwable notJson = failure("Forecast", "Oslo for 3 days");
        assertThat(notJson).isInstanceOf(ToolException.class)
                .hasMessageStartingWith("Forecast expects a JSON object {\"city\": string")
                .hasMessageContaining("the input is not JSON");
        assertThat(((ToolException) notJson).retryable()).isFalse();

        assertThat(failure("Forecast", "{\"cty\": \"Oslo\", \"unit\": \"kelvin\", \"days\": 2.5, \"extras\": [1, {}]}"))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("unknown parameter 'cty'")
                .hasMessageContaining("missing required parameter 'city' (string)")
                .hasMessageContaining("parameter 'unit' must be one of CELSIUS, FAHRENHEIT, not \"kelvin\"")
                .hasMessageContaining("parameter 'days' must be an integer, not 2.5")
                .hasMessageContaining("parameter 'extras' must be an array of string (item 1 is not one");
        assertThat(failure("Add", "[1, 2]")).hasMessageContaining("the input is [1,2], not a JSON object");
        assertThat(failure("Add", "{\"a\": 1e30, \"b\": 1, \"round\": false, \"c\": 1, \"s\": 40000}"))
                .hasMessageContaining("parameter 'a' must be an integer from -9223372036854775808 to "
                        + "9223372036854775807, not 1.0E30")
                .hasMessageContaining("parameter 's' must be an integer from -32768 to 32767, not 40000");
        assertThat(failure("Add", "{\"a\": 1} trailing")).hasMessageContaining("the input is not JSON");
        assertThat(failure("Add", "{\"a\": 1, \"a\": 2}")).hasMessageContaining("the input is not JSON");
        assertThat(failure("Add", "  ")).hasMessageContaining("missing required parameter 'a'");
    }

    @Test
    void evidenceReferencedInsideJsonStringsIsSubstitutedAfterParsingSoQuotesCannotBreakIt() {
        String evidence = "He said \"no\"\nand left.";
        String template = "{\"city\": \"Oslo\", \"unit\": \"CELSIUS\", \"extras\": [\":evidence0:\"]}";
        String substituted = template.replace(":evidence0:", evidence);
        ToolRequest request = new ToolRequest("run", "evidence1", substituted, Map.of("evidence0", Evidence.of(evidence)),
                template);
        StepVerifier.create(tools.get("Forecast").execute(request))
                .assertNext(e -> assertThat(json(e.text()).get("city").stringValue())
                        .isEqualTo("Oslo/CELSIUS/[" + evidence + "]"))
                .verifyComplete();

        // a reference written as a bare value only reads as JSON once substituted
        ToolRequest bare = new ToolRequest("run", "evidence1", "{\"n\": 12}", Map.of("evidence0", Evidence.of("12")),
                "{\"n\": :evidence0:}");
        StepVerifier.create(tools.get("Square").execute(bare))
                .assertNext(e -> assertThat(e.text()).isEqualTo("144")).verifyComplete();
    }

    @Test
    void blockingMethodsRunOnBoundedElasticAndReactiveOnesKeepTheirEvidence() {
        call("Weather", "Rome");
        assertThat(bean.lastThread).startsWith("boundedElastic");
        assertThat(call("Clock", "ignored").text()).isEqualTo("noon");
        ToolRequest request = new ToolRequest("run", "evidence2", "x", Map.of("evidence0",
                Evidence.of("a", List.of(Source.of("https://example.org/s")))), "x");
        StepVerifier.create(tools.get("Cite").execute(request))
                .assertNext(e -> {
                    assertThat(e.text()).isEqualTo("x @evidence2");
                    assertThat(e.sources()).extracting(Source::url).containsExactly("https://example.org/a");
                })
                .verifyComplete();
        StepVerifier.create(tools.get("Sources").execute(request))
                .assertNext(e -> {
                    assertThat(e.text()).isEqualTo("from [evidence0]");
                    assertThat(e.sources()).extracting(Source::url).containsExactly("https://example.org/s");
                })
                .verifyComplete();
    }

    @Test
    void exceptionsBecomeFailuresWithTheirMessage() {
        assertThat(failure("Broken", "db")).isInstanceOf(IllegalStateException.class)
                .hasMessage("backend unreachable for db");
        Throwable picky = failure("Picky", "tomorrow");
        assertThat(picky).isInstanceOf(ToolException.class).hasMessage("not a date: tomorrow");
        assertThat(((ToolException) picky).retryable()).isFalse();
        Throwable later = failure("BrokenLater", "x");
        assertThat(later).isInstanceOf(ToolException.class).hasMessage("quota exhausted");
        assertThat(((ToolException) later).retryable()).isTrue();
    }

    @Test
    void nullIsNoEvidenceAndCallsAreLazy() {
        StepVerifier.create(tools.get("Nothing").execute(ToolRequest.of("x"))).verifyComplete();
        bean.lastThread = null;
        tools.get("Weather").execute(ToolRequest.of("Rome")); // not subscribed
        assertThat(bean.lastThread).isNull();
    }

    static class SlowTool {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);

        @RewooTool(description = "Waits for ever.")
        public String slow(String input) throws InterruptedException {
            entered.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        }
    }

    @Test
    void cancellingABlockingCallInterruptsTheMethod() throws InterruptedException {
        SlowTool slow = new SlowTool();
        Disposable call = MethodTool.allOf(slow).get(0).execute(ToolRequest.of("x")).subscribe();
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();

        call.dispose();

        assertThat(slow.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theSchemasAreOnesTheFunctionCallingDispatcherEnforcesAndItsCallsReachTheMethod() {
        for (MethodTool tool : tools.values()) {
            assertThat(ToolFunction.of(tool).spec().name()).isEqualTo(tool.name());
        }
        StepVerifier.create(ToolFunction.of(tools.get("Forecast")).invoke(FunctionParams.of(Map.of(
                        "city", "Bergen", "unit", "CELSIUS", "days", 2))))
                .assertNext(text -> assertThat(json(text)).isEqualTo(json(
                        "{\"city\": \"Bergen/CELSIUS/null\", \"days\": 2, \"high\": 21.5}")))
                .verifyComplete();
    }

    static class VoidTool {
        @RewooTool(description = "Does things.")
        public void send(String to) {
        }
    }

    static class MapTool {
        @RewooTool(description = "Takes a map.")
        public String lookup(Map<String, String> table, int n) {
            return "";
        }
    }

    static class OptionalPrimitive {
        @RewooTool(description = "Counts.")
        public String count(String what, @ToolParam(required = false) int n) {
            return "";
        }
    }

    static class BadName {
        @RewooTool(name = "Web Search", description = "Searches.")
        public String search(String q) {
            return "";
        }
    }

    static class BlankDescription {
        @RewooTool(description = "  ")
        public String search(String q) {
            return "";
        }
    }

    static class FluxTool {
        @RewooTool(description = "Streams.")
        public reactor.core.publisher.Flux<String> stream(String q) {
            return reactor.core.publisher.Flux.empty();
        }
    }

    @Test
    void methodsThatCannotBeToolsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> MethodTool.allOf(new VoidTool()))
                .hasMessageContaining(VoidTool.class.getName() + ".send returns nothing");
        assertThatThrownBy(() -> MethodTool.allOf(new MapTool()))
                .hasMessageContaining("parameter 'table': type java.util.Map<java.lang.String, java.lang.String> "
                        + "is not supported; use String, boolean");
        assertThatThrownBy(() -> MethodTool.allOf(new OptionalPrimitive()))
                .hasMessageContaining("optional parameter 'n' is a primitive int");
        assertThatThrownBy(() -> MethodTool.allOf(new BadName()))
                .hasMessageContaining("'Web Search' is not a valid tool name");
        assertThatThrownBy(() -> MethodTool.allOf(new BlankDescription()))
                .hasMessageContaining("the description must say what the tool does");
        assertThatThrownBy(() -> MethodTool.allOf(new FluxTool()))
                .hasMessageContaining("returns Flux; return a Mono");
    }
}
