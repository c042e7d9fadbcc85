package io.rewoo4j.planner;

import java.util.Set;

/**
 * Why a plan was rejected. Every error names the 1-based line it was found on and quotes that line, so that a user
 * (or a model being re-prompted) can see exactly what was wrong.
 */
public sealed interface PlanError {

    /** The 1-based line number in the plan text. */
    int line();

    /** The offending line as written (without its line terminator). */
    String lineText();

    /** What is wrong, in a sentence, without the line quote. */
    String reason();

    /** A one-line message naming the line and quoting it. */
    default String message() {
        return "line " + line() + ": " + reason() + ": \"" + abbreviate(lineText()) + "\"";
    }

    /** A short, stable name of the error kind ({@code undefined_reference}, ...) for machine consumers. */
    default String code() {
        String simple = getClass().getSimpleName();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                out.append('_');
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 197) + "...";
    }

    /** A step refers to a variable that no earlier step defines. */
    record UndefinedReference(int line, String lineText, String reference) implements PlanError {
        @Override
        public String reason() {
            return reference + " is not defined by any step";
        }
    }

    /** A step refers to a variable that is only defined later (or by the step itself). */
    record ForwardReference(int line, String lineText, String reference, int definedOnLine) implements PlanError {
        @Override
        public String reason() {
            return definedOnLine == line
                    ? reference + " refers to its own step"
                    : reference + " is used before it is defined (on line " + definedOnLine + ")";
        }
    }

    /** A variable is defined twice. */
    record DuplicateVariable(int line, String lineText, String variable, int firstDefinedOnLine) implements PlanError {
        @Override
        public String reason() {
            return variable + " is already defined on line " + firstDefinedOnLine;
        }
    }

    /** A step's brackets hold nothing but whitespace. */
    record EmptyInput(int line, String lineText, String variable) implements PlanError {
        @Override
        public String reason() {
            return variable + " has an empty tool input";
        }
    }

    /** A step names a tool that is not in the given tool set. */
    record UnknownTool(int line, String lineText, String tool, Set<String> knownTools) implements PlanError {
        public UnknownTool {
            knownTools = Set.copyOf(knownTools);
        }

        @Override
        public String reason() {
            return "unknown tool '" + tool + "' (known: " + String.join(", ", knownTools.stream().sorted().toList()) + ")";
        }
    }

    /** A step's opening bracket is never closed. */
    record UnclosedBracket(int line, String lineText, String variable) implements PlanError {
        @Override
        public String reason() {
            return variable + " opens '[' but never closes it";
        }
    }

    /** Inside the plan body, a line that is neither a plan line, a step, nor the answer. */
    record UnexpectedLine(int line, String lineText) implements PlanError {
        @Override
        public String reason() {
            return "expected 'Plan:', a step such as ':evidence0: = Tool[input]', or 'Answer:'";
        }
    }

    /** A step appears after the answer. */
    record StepAfterAnswer(int line, String lineText, int answerLine) implements PlanError {
        @Override
        public String reason() {
            return "step after the answer on line " + answerLine;
        }
    }

    /** The answer refers to a variable that no step defines. */
    record UndefinedAnswerReference(int line, String lineText, String reference) implements PlanError {
        @Override
        public String reason() {
            return "the answer refers to " + reference + ", which no step defines";
        }
    }

    /** The text holds no step at all. {@link #line()} is the last line read. */
    record NoSteps(int line, String lineText) implements PlanError {
        @Override
        public String reason() {
            return "no step found; expected lines such as ':evidence0: = Tool[input]'";
        }
    }

    /** A limit was exceeded: too many steps or a line too long. */
    record LimitExceeded(int line, String lineText, String limit) implements PlanError {
        @Override
        public String reason() {
            return limit;
        }
    }
}
