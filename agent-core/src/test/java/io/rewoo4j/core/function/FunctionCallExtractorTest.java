package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class FunctionCallExtractorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The cards' example response. */
    private static final String SEEDS_RESPONSE = """
            {
              "function": "file_analytics",
              "params": {
                "action": "count_occurrences",
                "filters": {
                  "keyword": "Python"
                }
              }
            }""";

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    @Test
    void readsTheSeedsResponse() {
        FunctionCall call = FunctionCallExtractor.extract(SEEDS_RESPONSE);
        assertThat(call.function()).isEqualTo("file_analytics");
        assertThat(call.params()).isEqualTo(json(
                "{\"action\": \"count_occurrences\", \"filters\": {\"keyword\": \"Python\"}}"));
    }

    @Test
    void readsAFencedObjectWithProseAround() {
        String answer = "Sure! To count the mentions I will call file_analytics:\n\n```json\n" + SEEDS_RESPONSE
                + "\n```\n\nThis returns how many times {keyword} occurs.";
        FunctionCall call = FunctionCallExtractor.extract(answer);
        assertThat(call.function()).isEqualTo("file_analytics");
        assertThat(call.params().get("filters").get("keyword").stringValue()).isEqualTo("Python");
    }

    @Test
    void bracesAndQuotesInsideStringsDoNotEndTheObject() {
        FunctionCall call = FunctionCallExtractor.extract(
                "Call: {\"function\": \"echo\", \"params\": {\"text\": \"a } b { \\\"c\\\" }\"}} done }");
        assertThat(call.function()).isEqualTo("echo");
        assertThat(call.params().get("text").stringValue()).isEqualTo("a } b { \"c\" }");
    }

    @Test
    void skipsBracesInProseAndObjectsThatAreNotCalls() {
        String answer = "The set {a, b} and the config {\"verbose\": true} are not calls; this is: "
                + "{\"function\": \"search\", \"params\": {\"q\": \"x\"}} and this one comes too late: "
                + "{\"function\": \"other\"}";
        FunctionCall call = FunctionCallExtractor.extract(answer);
        assertThat(call.function()).isEqualTo("search");
        assertThat(call.params()).isEqualTo(json("{\"q\": \"x\"}"));
    }

    @Test
    void readsLooseJsonAsModelsWriteIt() {
        FunctionCall call = FunctionCallExtractor.extract("""
                {'function': 'search', // the web search
                 'params': {'q': "it's", 'n': 3,},}""");
        assertThat(call.function()).isEqualTo("search");
        assertThat(call.params()).isEqualTo(json("{\"q\": \"it's\", \"n\": 3}"));
    }

    @Test
    void acceptsParameterAliasesAndTheOpenAiShape() {
        assertThat(FunctionCallExtractor.extract("{\"function\": \"f\", \"parameters\": {\"a\": 1}}").params())
                .isEqualTo(json("{\"a\": 1}"));
        FunctionCall openAi = FunctionCallExtractor.extract(
                "{\"function\": {\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 2}\"}}");
        assertThat(openAi.function()).isEqualTo("f");
        assertThat(openAi.params()).isEqualTo(json("{\"a\": 2}"));
        FunctionCall noParams = FunctionCallExtractor.extract("{\"function\": \" get_time \"}");
        assertThat(noParams.function()).isEqualTo("get_time");
        assertThat(noParams.params()).isEqualTo(json("{}"));
    }

    @Test
    void readsAYamlAnswer() {
        FunctionCall call = FunctionCallExtractor.extract("""
                function: file_analytics
                params:
                  action: count_occurrences
                  filters:
                    keyword: Python
                """);
        assertThat(call.function()).isEqualTo("file_analytics");
        assertThat(call.params()).isEqualTo(json(
                "{\"action\": \"count_occurrences\", \"filters\": {\"keyword\": \"Python\"}}"));
    }

    @Test
    void readsAFencedYamlAnswerBetweenProse() {
        FunctionCall call = FunctionCallExtractor.extract("""
                Here is my choice:
                ```yaml
                  function: get_weather
                  parameters:
                    location: Paris
                    days: 3
                ```
                It fetches the forecast.
                """);
        assertThat(call.function()).isEqualTo("get_weather");
        assertThat(call.params()).isEqualTo(json("{\"location\": \"Paris\", \"days\": 3}"));
    }

    @Test
    void garbageIsATypedErrorQuotingTheText() {
        DispatchException.NoFunctionCall error = catchThrowableOfType(DispatchException.NoFunctionCall.class,
                () -> FunctionCallExtractor.extract("I'm sorry, I cannot help with {that}."));
        assertThat(error.kind()).isEqualTo(DispatchException.Kind.NO_FUNCTION_CALL);
        assertThat(error.kind().functionInvoked()).isFalse();
        assertThat(error.excerpt()).isEqualTo("\"I'm sorry, I cannot help with {that}.\"");
        assertThat(error.getMessage()).contains("no function call found").contains("I cannot help");
    }

    @Test
    void aLongAnswerIsAbbreviatedInTheError() {
        String answer = "blah ".repeat(500);
        DispatchException.NoFunctionCall error = catchThrowableOfType(DispatchException.NoFunctionCall.class,
                () -> FunctionCallExtractor.extract(answer));
        assertThat(error.excerpt()).hasSizeLessThan(260).contains("(2499 chars)");
    }

    @Test
    void aFunctionThatIsNotANameIsNamedAsTheReason() {
        assertThatThrownBy(() -> FunctionCallExtractor.extract("{\"function\": 42, \"params\": {}}"))
                .isInstanceOf(DispatchException.NoFunctionCall.class)
                .hasMessageContaining("\"function\" should be the function's name, but is integer 42");
        assertThatThrownBy(() -> FunctionCallExtractor.extract("   "))
                .isInstanceOf(DispatchException.NoFunctionCall.class).hasMessageContaining("empty");
    }

    @Test
    void aCallWithADuplicatedKeyIsNotGuessedAt() {
        assertThatThrownBy(() -> FunctionCallExtractor.extract("{\"function\": \"a\", \"function\": \"b\"}"))
                .isInstanceOf(DispatchException.NoFunctionCall.class)
                .hasMessageContaining("ambiguous").hasMessageContaining("\"function\"");
    }

    @Test
    void aCutOffCallSaysSo() {
        assertThatThrownBy(() -> FunctionCallExtractor.extract(
                "Sure:\n{\"function\": \"search\", \"params\": {\"q\": \"the longest river in"))
                .isInstanceOf(DispatchException.NoFunctionCall.class)
                .hasMessageContaining("ends inside a JSON object");
        // a complete object nested in its params is not the call either
        assertThatThrownBy(() -> FunctionCallExtractor.extract(
                "{\"function\": \"plan\", \"params\": {\"step\": {\"function\": \"search\"}, \"then\": \"su"))
                .isInstanceOf(DispatchException.NoFunctionCall.class)
                .hasMessageContaining("ends inside a JSON object");
        // its first line alone would read as YAML, a call of "search" with no params
        assertThatThrownBy(() -> FunctionCallExtractor.extract("{\n  \"function\": \"search\"\n"))
                .isInstanceOf(DispatchException.NoFunctionCall.class)
                .hasMessageContaining("ends inside a JSON object");
    }

    @Test
    void aCallIsSettledOnlyWhenNoEarlierObjectIsStillOpen() {
        // the inner object is complete and looks like a call, but it is nested in an outer call still being written
        String growing = "{\"function\": \"outer\", \"params\": {\"spec\": {\"function\": \"inner\"}";
        assertThat(FunctionCallExtractor.settledJsonCall(growing)).isEmpty();
        String complete = growing + "}}";
        assertThat(FunctionCallExtractor.settledJsonCall(complete)).get()
                .extracting(FunctionCall::function).isEqualTo("outer");
        assertThat(FunctionCallExtractor.settledJsonCall("Sure: {\"function\": \"f\", \"params\": {\"a\": tr"))
                .isEmpty();
        assertThat(FunctionCallExtractor.settledJsonCall("Sure: {\"function\": \"f\"} and now")).isPresent();
    }
}
