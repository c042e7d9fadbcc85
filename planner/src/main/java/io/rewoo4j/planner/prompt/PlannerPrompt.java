package io.rewoo4j.planner.prompt;

import java.util.List;

/** The ReWOO planning instruction: tools, output format and the question, wrapped in a prompt format. */
public final class PlannerPrompt {

    /** The unwrapped instruction text for the question and tools. */
    public static String instruction(String question, List<ToolDescription> tools) {
        throw new UnsupportedOperationException("stub");
    }

    /** The full prompt in the given format. */
    public static String render(PromptFormat format, String question, List<ToolDescription> tools) {
        return format.wrap(null, instruction(question, tools));
    }

    /** Stop sequences for a planning completion: the format's, plus those that mark a new example starting. */
    public static List<String> stopSequences(PromptFormat format) {
        throw new UnsupportedOperationException("stub");
    }

    private PlannerPrompt() {
    }
}
