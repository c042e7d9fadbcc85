package io.rewoo4j.tools.knowledge;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.planner.EvidenceReferences;
import io.rewoo4j.planner.prompt.PromptFormat;

/**
 * The context-obedient question-answering prompt of the served models' cards: one
 * {@code BEGININPUT / BEGINCONTEXT ... ENDCONTEXT / text / ENDINPUT} block per source of each referenced evidence,
 * then {@code BEGININSTRUCTION question ENDINSTRUCTION}, sized to fit the model's window.
 *
 * <p>When the evidence does not fit, it is cut into chunks, the chunks are ranked by BM25 relevance to the question,
 * and the best ones are kept (shown in their original order) until the token budget is spent: the prompt never
 * overflows, and what is dropped is what mentions the question least.
 */
final class ContextPrompt {

    static final String INSTRUCTION_TAIL = "Don't make up answers if you don't know.";

    /** A piece of evidence with the metadata of its context block. */
    record Passage(String stepId, Source source, String text) {
    }

    /** The rendered prompt and the sources it shows. */
    record Rendered(String prompt, List<Source> sources, int droppedChunks) {
    }

    private record Chunk(int passage, int index, String text, int tokens) {
    }

    private ContextPrompt() {
    }

    /** Evidence this short (one line, no excerpts) is written into the question instead of a block of its own. */
    static final int INLINE_MAX_CHARS = 200;

    /**
     * Whether evidence is a short value (a name, a date, a number another step found) rather than material to read:
     * it then reads best in the question itself ("the most famous work of Louise Glück").
     */
    static boolean inline(Evidence evidence) {
        String text = evidence.text().strip();
        return text.length() <= INLINE_MAX_CHARS && text.indexOf('\n') < 0
                && evidence.sources().stream().allMatch(s -> s.excerpt() == null);
    }

    /**
     * Passages from the evidence that is not {@linkplain #inline inlined}: one per source excerpt, or one for the
     * whole text when the tool gave none.
     */
    static List<Passage> passages(Map<String, Evidence> evidenceById) {
        List<Passage> out = new ArrayList<>();
        evidenceById.forEach((id, evidence) -> {
            if (inline(evidence)) {
                return;
            }
            List<Source> withExcerpt = evidence.sources().stream()
                    .filter(s -> s.excerpt() != null && !s.excerpt().isBlank()).toList();
            if (!withExcerpt.isEmpty()) {
                withExcerpt.forEach(s -> out.add(new Passage(id, s, s.excerpt())));
            } else if (!evidence.text().isBlank()) {
                Source only = evidence.sources().size() == 1 ? evidence.sources().get(0) : null;
                out.add(new Passage(id, only, evidence.text()));
            }
        });
        return out;
    }

    /**
     * The question the instruction asks: the plan's input with each reference replaced by the evidence itself when
     * it is a short value, else by a pointer to that step's blocks (long evidence is in the blocks, not pasted into
     * the question).
     */
    static String question(String template, Map<String, Evidence> evidenceById) {
        if (evidenceById.isEmpty()) {
            return template.strip();
        }
        return EvidenceReferences.substitute(template, id -> {
            Evidence evidence = evidenceById.get(id);
            if (evidence == null) {
                return null;
            }
            return inline(evidence) ? evidence.text().strip() : "the input blocks of step " + id;
        }).strip();
    }

    static Rendered render(PromptFormat format, String question, List<Passage> passages,
                           KnowledgeModelOptions options) {
        ToIntFunction<String> tokens = options.tokenEstimator();
        String instruction = "BEGININSTRUCTION\n" + question + "\n" + INSTRUCTION_TAIL + "\nENDINSTRUCTION";
        int budget = options.contextTokens() - options.answerTokens() - tokens.applyAsInt(format.wrap(null, instruction));
        if (budget < 0) {
            throw ToolException.badInput("the question alone is longer than the model's context window ("
                    + options.contextTokens() + " tokens, " + options.answerTokens() + " kept for the answer)");
        }
        List<Chunk> chunks = new ArrayList<>();
        int[] headerTokens = new int[passages.size()];
        for (int p = 0; p < passages.size(); p++) {
            headerTokens[p] = tokens.applyAsInt(blockHead(passages.get(p)) + blockTail());
            List<String> pieces = Chunker.chunks(passages.get(p).text(), options.chunkChars());
            for (int i = 0; i < pieces.size(); i++) {
                chunks.add(new Chunk(p, i, pieces.get(i), tokens.applyAsInt(pieces.get(i)) + 1));
            }
        }
        double[] scores = Bm25.scores(question, chunks.stream().map(Chunk::text).toList());
        List<Integer> ranked = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            ranked.add(i);
        }
        ranked.sort(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));

        while (true) {
            boolean[] opened = new boolean[passages.size()];
            TreeMap<Integer, List<Chunk>> chosen = new TreeMap<>();
            int remaining = budget;
            for (int i : ranked) {
                Chunk c = chunks.get(i);
                int cost = c.tokens() + (opened[c.passage()] ? 0 : headerTokens[c.passage()]);
                if (cost <= remaining) {
                    remaining -= cost;
                    opened[c.passage()] = true;
                    chosen.computeIfAbsent(c.passage(), k -> new ArrayList<>()).add(c);
                }
            }
            Rendered rendered = assemble(format, instruction, passages, chosen, chunks.size());
            // Token counts of parts need not add up exactly to the count of the whole; check the whole.
            if (tokens.applyAsInt(rendered.prompt()) + options.answerTokens() <= options.contextTokens()
                    || budget <= 0) {
                return rendered;
            }
            budget -= Math.max(1, budget / 20);
        }
    }

    private static Rendered assemble(PromptFormat format, String instruction, List<Passage> passages,
                                     TreeMap<Integer, List<Chunk>> chosen, int totalChunks) {
        StringBuilder body = new StringBuilder();
        List<Source> sources = new ArrayList<>();
        int kept = 0;
        for (Map.Entry<Integer, List<Chunk>> e : chosen.entrySet()) {
            Passage passage = passages.get(e.getKey());
            List<Chunk> inOrder = new ArrayList<>(e.getValue());
            inOrder.sort(Comparator.comparingInt(Chunk::index));
            body.append(blockHead(passage));
            int previous = -1;
            for (Chunk c : inOrder) {
                if (previous >= 0) {
                    body.append(c.index() == previous + 1 ? "\n\n" : "\n\n[...]\n\n");
                }
                body.append(c.text());
                previous = c.index();
                kept++;
            }
            body.append(blockTail());
            if (passage.source() != null && sources.stream().noneMatch(s -> s.url().equals(passage.source().url()))) {
                sources.add(passage.source());
            }
        }
        return new Rendered(format.wrap(null, body + instruction), List.copyOf(sources), totalChunks - kept);
    }

    private static String blockHead(Passage passage) {
        StringBuilder out = new StringBuilder("BEGININPUT\nBEGINCONTEXT\n");
        Source s = passage.source();
        if (s != null) {
            out.append("url: ").append(oneLine(s.url())).append('\n');
            if (s.title() != null && !s.title().isBlank()) {
                out.append("title: ").append(oneLine(s.title())).append('\n');
            }
            if (s.retrievedAt() != null) {
                out.append("date: ").append(s.retrievedAt().atOffset(ZoneOffset.UTC).toLocalDate()).append('\n');
            }
        }
        return out.append("step: ").append(passage.stepId()).append("\nENDCONTEXT\n").toString();
    }

    private static String blockTail() {
        return "\nENDINPUT\n";
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }
}
