package io.rewoo4j.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A push parser for one plan: {@link #feed(CharSequence)} text as it arrives, in chunks split anywhere, and
 * {@link #finish()} at the end. Not thread-safe; one instance per plan.
 *
 * <p>What it reads:
 * <ul>
 *   <li>Anything before the first plan or step line (a preamble such as "Sure, here is the plan:") is ignored, as are
 *       blank lines and Markdown fences anywhere.</li>
 *   <li>Plan lines: {@code Plan:}, {@code Plan 1:}, {@code 1. Plan:}, {@code - Plan:}, {@code **Plan:**},
 *       {@code Step 2:}. Their text becomes the next step's reasoning. A step may follow on the same line.</li>
 *   <li>Steps: {@code :evidenceN: = Tool[input]} or {@code #EN = Tool[input]}, any case, spaces around {@code =}
 *       and before {@code [}. The input is the text between the opening bracket and the <em>last</em> closing
 *       bracket of its line (the outermost pair), so nested and unbalanced-looking brackets stay in the input. While
 *       more brackets are open than closed, the input continues on the following lines until they balance, or until
 *       a line that starts something new (then it ends at the last closing bracket read).</li>
 *   <li>{@code Answer:} (or {@code Final Answer:}) with a reference, several, or free text, possibly continued on
 *       the following lines up to a blank line. Without it the answer is the last step. After the answer, further
 *       text is ignored, but a step there is an error (it would otherwise be silently dropped).</li>
 * </ul>
 * Inside the plan body (from the first plan or step line to the answer), any other line is an error. A step is
 * emitted as soon as its definition is complete and valid against the steps before it.
 */
public final class IncrementalPlanParser {

    private enum Phase { PREAMBLE, BODY, ANSWER, EPILOGUE }

    /** A step whose input has not been closed yet. */
    private static final class OpenStep {
        final String variable;
        final String tool;
        final int line;
        final String lineText;
        final String reasoning;
        final StringBuilder input = new StringBuilder();
        int depth = 1;
        int lastClose = -1;

        OpenStep(String variable, String tool, int line, String lineText, String reasoning) {
            this.variable = variable;
            this.tool = tool;
            this.line = line;
            this.lineText = lineText;
            this.reasoning = reasoning;
        }

        void append(CharSequence text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '[') {
                    depth++;
                } else if (c == ']') {
                    depth--;
                    lastClose = input.length() + i;
                }
            }
            input.append(text);
        }
    }

    private record Definition(String variable, int line) {
    }

    private final PlanParserOptions options;
    private final Map<String, String> toolsByLowerName = new HashMap<>();

    private final StringBuilder partialLine = new StringBuilder();
    private int lineNumber;
    private String lastLineText = "";
    private Phase phase = Phase.PREAMBLE;
    private OpenStep open;
    private final StringBuilder reasoning = new StringBuilder();
    private final List<PlanStep> steps = new ArrayList<>();
    private final Map<String, Definition> definitions = new HashMap<>();
    private final Set<String> families = new HashSet<>(Set.of(":evidence", "#e"));
    private StringBuilder answer;
    private int answerLine;
    private String answerLineText;
    private boolean finished;
    private PlanParseException failure;

    IncrementalPlanParser(PlanParserOptions options) {
        this.options = options;
        for (String tool : options.knownTools()) {
            toolsByLowerName.putIfAbsent(tool.toLowerCase(Locale.ROOT), tool);
        }
    }

    /**
     * Reads the next chunk of plan text and returns the steps it completed, in plan order (often none).
     *
     * @throws PlanParseException when the text read so far cannot be a valid plan; the parser is then spent
     */
    public List<PlanEvent.StepParsed> feed(CharSequence chunk) {
        checkUsable();
        List<PlanEvent.StepParsed> out = new ArrayList<>(1);
        try {
            int start = 0;
            for (int i = 0; i < chunk.length(); i++) {
                if (chunk.charAt(i) == '\n') {
                    partialLine.append(chunk, start, i);
                    completeLine(out);
                    start = i + 1;
                }
            }
            partialLine.append(chunk, start, chunk.length());
            if (partialLine.length() > options.maxLineLength()) {
                throw error(new PlanError.LimitExceeded(lineNumber + 1, partialLine.substring(0, 200),
                        "line longer than " + options.maxLineLength() + " characters"));
            }
        } catch (PlanParseException e) {
            failure = e;
            if (out.isEmpty()) {
                throw e;
            }
            // Steps completed earlier in this chunk are valid: hand them out; the next call reports the error.
        }
        return out;
    }

    /**
     * Ends the plan: reads any last unterminated line and closes what is open. Returns the steps this completed (in
     * plan order), then a {@link PlanEvent.Completed} with the validated graph as the last element.
     *
     * @throws PlanParseException when the plan is not valid
     */
    public List<PlanEvent> finish() {
        checkUsable();
        finished = true;
        List<PlanEvent.StepParsed> last = new ArrayList<>(1);
        try {
            if (partialLine.length() > 0) {
                completeLine(last);
            }
            if (open != null) {
                closeAtBoundary(last);
            }
            if (steps.isEmpty()) {
                throw error(new PlanError.NoSteps(Math.max(1, lineNumber), lastLineText));
            }
            List<PlanEvent> out = new ArrayList<>(last);
            boolean written = answer != null && !answer.toString().isBlank();
            out.add(new PlanEvent.Completed(new PlanGraph(steps, resolveAnswerText(), answerDependencies(), written)));
            return out;
        } catch (PlanParseException e) {
            failure = e;
            throw e;
        }
    }

    /** {@link #finish()}'s graph, for callers that only want the result. */
    public PlanGraph finishGraph() {
        List<PlanEvent> events = finish();
        return ((PlanEvent.Completed) events.get(events.size() - 1)).graph();
    }

    /** The steps parsed so far. */
    public List<PlanStep> steps() {
        return List.copyOf(steps);
    }

    private void checkUsable() {
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            throw new IllegalStateException("finish() was already called");
        }
    }

    private void completeLine(List<PlanEvent.StepParsed> out) {
        int end = partialLine.length();
        if (end > 0 && partialLine.charAt(end - 1) == '\r') {
            end--;
        }
        String line = partialLine.substring(0, end);
        partialLine.setLength(0);
        lineNumber++;
        lastLineText = line;
        readLine(line, out);
    }

    private void readLine(String line, List<PlanEvent.StepParsed> out) {
        if (open != null) {
            if (!PlanGrammar.isStructural(line)) {
                open.append("\n");
                open.append(line);
                checkOpenLength();
                if (open.depth <= 0) {
                    close(out);
                }
                return;
            }
            closeAtBoundary(out);
        }
        String stripped = line.strip();
        if (stripped.isEmpty() || PlanGrammar.isFence(stripped)) {
            if (phase == Phase.ANSWER && !answer.toString().isBlank()) {
                phase = Phase.EPILOGUE;
            }
            return;
        }
        PlanGrammar.StepStart step = PlanGrammar.step(line);
        if (step != null) {
            if (phase == Phase.ANSWER || phase == Phase.EPILOGUE) {
                throw error(new PlanError.StepAfterAnswer(lineNumber, line, answerLine));
            }
            phase = Phase.BODY;
            open(step, line, out);
            return;
        }
        if (phase == Phase.EPILOGUE) {
            return;
        }
        String answerText = PlanGrammar.answer(line);
        if (answerText != null && phase == Phase.BODY) {
            phase = Phase.ANSWER;
            answer = new StringBuilder(answerText);
            answerLine = lineNumber;
            answerLineText = line;
            return;
        }
        PlanGrammar.StepStart plan = PlanGrammar.plan(line);
        if (plan != null) {
            if (phase == Phase.ANSWER) {
                // A plan line after the answer: the model has moved on (a new example); nothing more is plan.
                phase = Phase.EPILOGUE;
                return;
            }
            phase = Phase.BODY;
            appendReasoning(plan.reasoning());
            if (plan.variable() != null) {
                open(plan, line, out);
            }
            return;
        }
        switch (phase) {
            case PREAMBLE, EPILOGUE -> { }
            case ANSWER -> answer.append('\n').append(stripped);
            case BODY -> throw error(new PlanError.UnexpectedLine(lineNumber, line));
        }
    }

    private void appendReasoning(String text) {
        if (text.isEmpty()) {
            return;
        }
        if (reasoning.length() > 0) {
            reasoning.append(' ');
        }
        reasoning.append(text);
    }

    private void open(PlanGrammar.StepStart start, String line, List<PlanEvent.StepParsed> out) {
        open = new OpenStep(start.variable(), start.tool(), lineNumber, line, reasoning.toString());
        reasoning.setLength(0);
        open.append(line.substring(start.inputStart()));
        if (open.depth <= 0) {
            close(out);
        }
    }

    private void checkOpenLength() {
        if (open.input.length() > options.maxLineLength()) {
            throw error(new PlanError.LimitExceeded(open.line, open.lineText,
                    "step input longer than " + options.maxLineLength() + " characters"));
        }
    }

    /** The open step meets a line that starts something new, or the end: it ends at its last closing bracket. */
    private void closeAtBoundary(List<PlanEvent.StepParsed> out) {
        if (open.lastClose < 0) {
            throw error(new PlanError.UnclosedBracket(open.line, open.lineText, open.variable));
        }
        close(out);
    }

    private void close(List<PlanEvent.StepParsed> out) {
        OpenStep s = open;
        open = null;
        String input = s.input.substring(0, s.lastClose).strip();
        out.add(new PlanEvent.StepParsed(define(s, input)));
    }

    private PlanStep define(OpenStep s, String input) {
        String id = EvidenceReferences.idOf(s.variable);
        Definition previous = definitions.get(id);
        if (previous != null) {
            throw error(new PlanError.DuplicateVariable(s.line, s.lineText, s.variable, previous.line()));
        }
        if (input.isEmpty()) {
            throw error(new PlanError.EmptyInput(s.line, s.lineText, s.variable));
        }
        if (steps.size() >= options.maxSteps()) {
            throw error(new PlanError.LimitExceeded(s.line, s.lineText,
                    "more than " + options.maxSteps() + " steps"));
        }
        String tool = resolveTool(s);
        families.add(new EvidenceReferences.Reference(s.variable, id, 0, s.variable.length()).family());
        LinkedHashSet<String> dependsOn = new LinkedHashSet<>();
        for (EvidenceReferences.Reference ref : EvidenceReferences.scan(input)) {
            if (!families.contains(ref.family())) {
                continue;
            }
            if (ref.id().equals(id)) {
                throw error(new PlanError.ForwardReference(s.line, s.lineText, ref.token(), s.line));
            }
            if (!definitions.containsKey(ref.id())) {
                throw error(new PlanError.UndefinedReference(s.line, s.lineText, ref.token()));
            }
            dependsOn.add(ref.id());
        }
        definitions.put(id, new Definition(s.variable, s.line));
        PlanStep step = new PlanStep(id, s.variable, tool, input, List.copyOf(dependsOn), s.reasoning, s.line);
        steps.add(step);
        return step;
    }

    private String resolveTool(OpenStep s) {
        if (options.knownTools().isEmpty() || options.knownTools().contains(s.tool)) {
            return s.tool;
        }
        String registered = toolsByLowerName.get(s.tool.toLowerCase(Locale.ROOT));
        if (registered == null) {
            throw error(new PlanError.UnknownTool(s.line, s.lineText, s.tool, options.knownTools()));
        }
        return registered;
    }

    private String resolveAnswerText() {
        if (answer == null || answer.toString().isBlank()) {
            return steps.get(steps.size() - 1).variable();
        }
        return answer.toString().strip();
    }

    private List<String> answerDependencies() {
        if (answer == null || answer.toString().isBlank()) {
            return List.of(steps.get(steps.size() - 1).id());
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (EvidenceReferences.Reference ref : EvidenceReferences.scan(answer)) {
            if (!families.contains(ref.family())) {
                continue;
            }
            if (!definitions.containsKey(ref.id())) {
                throw error(new PlanError.UndefinedAnswerReference(answerLine, answerLineText, ref.token()));
            }
            ids.add(ref.id());
        }
        return List.copyOf(ids);
    }

    private static PlanParseException error(PlanError error) {
        return new PlanParseException(error);
    }
}
