package io.rewoo4j.planner.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * The ReWOO planning instruction the served models were trained on (the Bagel/Airoboros cards' "reWOO style
 * execution planning" prompt), with the tool list generated from the registered tools.
 */
public final class PlannerPrompt {

    private static final String HEAD = """
            Please construct a systematic plan to generate an optimal response to the user instruction, utilizing a \
            set of provided tools. Each plan will correspond to an evidence value, which will be the output of one of \
            the available functions given an input string
            that could be the user's question, one or more prior evidence values, or a combination of both.

            Here are the tools available to be called:
            """;

    private static final String FORMAT = """

            The output should be in format:
            Plan: [first action to take based on input question]
            :evidence0: = [function to call with input parameter]
            Plan: [next action to take, based on result of :evidence0:]
            :evidence1: = [next function to call and input parameter, which may include reference to previous \
            evidence, e.g. "Given context :evidence0"]
            ...
            Answer: [:evidence[n]: containing the final answer.]

            Question:\s""";

    private PlannerPrompt() {
    }

    /** The unwrapped instruction text for the question and tools (one {@code Name[input]: description} line each). */
    public static String instruction(String question, List<ToolDescription> tools) {
        if (tools.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one tool");
        }
        StringBuilder out = new StringBuilder(HEAD);
        for (ToolDescription tool : tools) {
            out.append(tool.name()).append("[input]: ").append(oneLine(tool.description())).append('\n');
        }
        return out.append(FORMAT).append(question.strip()).toString();
    }

    /** The full prompt in the given format. */
    public static String render(PromptFormat format, String question, List<ToolDescription> tools) {
        return format.wrap(null, instruction(question, tools));
    }

    /** Stop sequences for a planning completion: the format's, plus the start of a new question. */
    public static List<String> stopSequences(PromptFormat format) {
        List<String> stops = new ArrayList<>(format.stopSequences());
        stops.add("\nQuestion:");
        return List.copyOf(stops);
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
