package io.rewoo4j.planner;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line shapes of a plan. Every pattern is matched from just after the line's list prefix and is free of
 * unbounded group repetition, so matching is linear in the line length and cannot overflow the stack.
 */
final class PlanGrammar {

    /** Markdown emphasis around a keyword or token. */
    private static final String EMPH = "[*_`]{0,3}";
    static final String VARIABLE = "(:[A-Za-z][A-Za-z_]*?\\d+:|#[A-Za-z][A-Za-z_]*?\\d+(?![0-9]))";
    static final String TOOL = "([A-Za-z_][A-Za-z0-9_.\\-]*)";

    /** {@code :evidence0: = Tool[...}: group 1 the variable, 2 the tool; the match ends just after the '['. */
    private static final Pattern STEP = Pattern.compile(
            EMPH + VARIABLE + EMPH + "\\s*=\\s*" + EMPH + TOOL + EMPH + "\\s*\\[");
    /** A step written at the end of a plan line: {@code Plan: search for it. #E1 = Search[...}. */
    private static final Pattern INLINE_STEP = Pattern.compile(
            VARIABLE + EMPH + "\\s*=\\s*" + EMPH + TOOL + EMPH + "\\s*\\[");
    /** {@code Plan:}, {@code Plan 1:}, {@code 1. Plan:}, {@code - **Plan:**}, {@code Step 2:}: group 1 the text. */
    private static final Pattern PLAN = Pattern.compile(
            EMPH + "(?:plan|step)(?:\\s*#?\\d{1,4})?\\s*" + EMPH + "\\s*:" + EMPH + "\\s*(.*)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** {@code Answer:} or {@code Final Answer:}: group 1 the text. */
    private static final Pattern ANSWER = Pattern.compile(
            EMPH + "(?:final\\s+)?answer\\s*" + EMPH + "\\s*:" + EMPH + "\\s*(.*)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private PlanGrammar() {
    }

    /** The start of a step definition on a line. {@code inputStart} is the index just after the opening bracket. */
    record StepStart(String variable, String tool, int inputStart, String reasoning) {
    }

    /**
     * The index after the list bullets, numbering and quote marks models put before a keyword ({@code - },
     * {@code * }, {@code 1. }, {@code 2) }, {@code > }) and whitespace. Done by hand: as a regex repetition it would
     * recurse once per bullet and overflow the stack on a long run of them.
     */
    static int skipPrefix(String line) {
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF' || c == '\u200B'
                    || c == '-' || c == '*' || c == '+' || c == '>' || c == '\u2022') {
                i++;
                continue;
            }
            int digits = 0;
            while (i + digits < n && digits < 5 && Character.isDigit(line.charAt(i + digits))) {
                digits++;
            }
            if (digits > 0 && digits < 5 && i + digits < n && (line.charAt(i + digits) == '.' || line.charAt(i + digits) == ')')) {
                i += digits + 1;
                continue;
            }
            break;
        }
        return i;
    }

    private static Matcher afterPrefix(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        m.region(skipPrefix(line), line.length());
        return m;
    }

    /** A step starting at the beginning of the line, or null. */
    static StepStart step(String line) {
        Matcher m = afterPrefix(STEP, line);
        if (!m.lookingAt()) {
            return null;
        }
        return new StepStart(m.group(1), m.group(2), m.end(), null);
    }

    /**
     * A plan line: its reasoning, and the step written on the same line if any (then {@code inputStart} indexes
     * {@code line}). Null when the line is not a plan line.
     */
    static StepStart plan(String line) {
        Matcher m = afterPrefix(PLAN, line);
        if (!m.matches()) {
            return null;
        }
        int textStart = m.start(1);
        Matcher inline = INLINE_STEP.matcher(line);
        if (inline.find(textStart)) {
            String reasoning = stripEmphasis(line.substring(textStart, inline.start()));
            return new StepStart(inline.group(1), inline.group(2), inline.end(), reasoning);
        }
        return new StepStart(null, null, -1, stripEmphasis(m.group(1)));
    }

    /** The text after {@code Answer:}, or null when the line is not an answer line. */
    static String answer(String line) {
        Matcher m = afterPrefix(ANSWER, line);
        return m.matches() ? stripEmphasis(m.group(1)) : null;
    }

    static boolean isFence(String stripped) {
        return stripped.startsWith("```") || stripped.startsWith("~~~");
    }

    /** Whether a line starts something new (so that it cannot continue a multi-line step input). */
    static boolean isStructural(String line) {
        String stripped = line.strip();
        return isFence(stripped) || step(line) != null || afterPrefix(PLAN, line).matches()
                || afterPrefix(ANSWER, line).matches();
    }

    private static String stripEmphasis(String text) {
        String s = text.strip();
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '*') {
            end--;
        }
        return s.substring(0, end).strip();
    }
}
