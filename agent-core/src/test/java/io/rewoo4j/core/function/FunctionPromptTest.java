package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.rewoo4j.planner.prompt.PromptFormat;
import org.junit.jupiter.api.Test;

class FunctionPromptTest {

    /** The cards' "Agent/function calling" example prompt, character for character. */
    private static final String SEEDS_PROMPT = """
            As an AI assistant, please select the most suitable function and parameters from the list of available \
            functions below, based on the user's input. Provide your response in JSON format.

            Input: I want to know how many times 'Python' is mentioned in my text file.

            Available functions:
            file_analytics:
              description: This tool performs various operations on a text file.
              params:
                action: The operation we want to perform on the data, such as "count_occurrences", "find_line", etc.
                filters:
                  keyword: The word or phrase we want to search for.""";

    static final FunctionSpec FILE_ANALYTICS = AgentFunction.builder("file_analytics")
            .description("This tool performs various operations on a text file.")
            .required("action", ParameterSchema.string(
                    "The operation we want to perform on the data, such as \"count_occurrences\", \"find_line\", etc."))
            .optional("filters", ParameterSchema.object("What to look for.")
                    .withRequired("keyword", ParameterSchema.string("The word or phrase we want to search for.")))
            .spec();

    @Test
    void rendersTheSeedsExampleExactly() {
        String prompt = FunctionPrompt.instruction(
                "I want to know how many times 'Python' is mentioned in my text file.", List.of(FILE_ANALYTICS));
        assertThat(prompt).isEqualTo(SEEDS_PROMPT);
    }

    @Test
    void aSchemaDocumentRendersTheSameAsTheBuilder() {
        FunctionSpec parsed = FunctionSpec.of("file_analytics", "This tool performs various operations on a text file.",
                """
                {"type": "object",
                 "properties": {
                   "action": {"type": "string", "description": "The operation we want to perform on the data, such as \\"count_occurrences\\", \\"find_line\\", etc."},
                   "filters": {"type": "object", "properties": {
                       "keyword": {"type": "string", "description": "The word or phrase we want to search for."}},
                     "required": ["keyword"]}},
                 "required": ["action"]}
                """);
        assertThat(FunctionPrompt.instruction(
                "I want to know how many times 'Python' is mentioned in my text file.", List.of(parsed)))
                .isEqualTo(SEEDS_PROMPT);
    }

    @Test
    void listsSeveralFunctionsInOrderWithEnumsArraysAndNoParams() {
        FunctionSpec weather = AgentFunction.builder("get_weather")
                .description("Current weather\n  for a city.")
                .required("location", ParameterSchema.string("The city."))
                .optional("unit", ParameterSchema.string("Temperature unit.").withEnum("celsius", "fahrenheit"))
                .optional("days", ParameterSchema.integer(""))
                .optional("stops", ParameterSchema.array(ParameterSchema.object("")
                        .withRequired("city", ParameterSchema.string("A city on the way.")), "The stops, in order."))
                .spec();
        FunctionSpec time = FunctionSpec.withoutParameters("get_time", "The current time.");

        String prompt = FunctionPrompt.instruction("  What's the weather in Paris?\n", List.of(weather, time),
                FunctionPrompt.AnswerFormat.YAML);

        assertThat(prompt).startsWith("As an AI assistant, please select the most suitable function and parameters "
                + "from the list of available functions below, based on the user's input. Provide your response in "
                + "YAML format.\n\nInput: What's the weather in Paris?\n\nAvailable functions:\n");
        assertThat(prompt).endsWith("""
                Available functions:
                get_weather:
                  description: Current weather for a city.
                  params:
                    location: The city.
                    unit: Temperature unit. (one of: "celsius", "fahrenheit")
                    days: integer
                    stops: The stops, in order.
                      city: A city on the way.
                get_time:
                  description: The current time.""");
    }

    @Test
    void wrapsTheInstructionInTheModelsPromptFormat() {
        String input = "How often is 'Python' in my file?";
        String prompt = FunctionPrompt.render(PromptFormat.MISTRAL, input, List.of(FILE_ANALYTICS),
                FunctionPrompt.AnswerFormat.JSON);
        assertThat(prompt).isEqualTo("[INST] " + FunctionPrompt.instruction(input, List.of(FILE_ANALYTICS))
                + " [/INST]");
        assertThat(FunctionPrompt.stopSequences(PromptFormat.MISTRAL))
                .containsAll(PromptFormat.MISTRAL.stopSequences()).contains("\nInput:");
    }

    @Test
    void refusesAnEmptyFunctionList() {
        assertThatThrownBy(() -> FunctionPrompt.instruction("hi", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one function");
    }
}
