package io.rewoo4j.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated plans: the parser returns a graph or throws {@link PlanParseException}, nothing
 * else, quickly; graphs satisfy the invariants; and a chunked parse agrees with the whole parse.
 */
class PlanParserFuzzTest {

    private static final String[] PIECES = {"Plan:", "Plan 1:", "1. ", "- ", "* ", "**", ":evidence", "#E", "0", "1",
            "2", "10", ":", " = ", "=", "[", "]", "[[", "]]", "DuckDuckGo", "KnowledgeModel", "Answer:", "Final Answer:",
            "\n", "\n", "\r\n", " ", "  ", "```", "given ", "?", "é", "\uD83D\uDE00", "\t", "Step 2:", "Question:"};

    private final PlanParser parser = new PlanParser(new PlanParserOptions(Set.of(), 200, 4096));

    @Test
    void randomTextIsAGraphOrATypedError() {
        Random random = new Random(20231001);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 5_000; i++) {
                StringBuilder text = new StringBuilder();
                int pieces = random.nextInt(80);
                for (int p = 0; p < pieces; p++) {
                    text.append(PIECES[random.nextInt(PIECES.length)]);
                }
                check(text.toString(), random);
            }
        });
    }

    @Test
    void mutatedPlansAreAGraphOrATypedError() {
        Random random = new Random(7);
        String[] seeds = {PlanParserTest.SEED_PLAN,
                "Sure:\n```\n#E1 = Search[x [y] z]\nPlan: more\n#E2 = LLM[multi\nline #E1]\nAnswer: see #E2 and #E1\n```\n"};
        int graphs = 0;
        int errors = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 5_000; i++) {
            String text = mutate(seeds[i % seeds.length], random, 1 + random.nextInt(4));
            if (check(text, random)) {
                graphs++;
            } else {
                errors++;
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        // The mutations are mild enough that both outcomes occur often; if not, the test is not exercising the parser.
        assertThat(graphs).isGreaterThan(500);
        assertThat(errors).isGreaterThan(500);
    }

    @Test
    void pathologicalLinesFinishQuickly() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            PlanParser big = new PlanParser();
            for (String line : List.of("*".repeat(60_000), "1.".repeat(30_000), ":a".repeat(30_000),
                    ":evidence0: = A[" + "[".repeat(60_000), "#E1 = A[" + "]".repeat(60_000),
                    "Plan: " + ":evidence1: =".repeat(4_000), "- ".repeat(30_000) + "Plan")) {
                try {
                    big.parse(line);
                } catch (PlanParseException expected) {
                    assertThat(expected.error()).isNotNull();
                }
            }
        });
    }

    /** Parses whole and chunked; returns whether it was a graph. */
    private boolean check(String text, Random random) {
        PlanGraph whole;
        PlanParseException wholeError = null;
        try {
            whole = parser.parse(text);
        } catch (PlanParseException e) {
            whole = null;
            wholeError = e;
        } catch (RuntimeException e) {
            throw new AssertionError("unexpected " + e + " for:\n" + text, e);
        }
        // The same text in random chunks must give the same outcome.
        IncrementalPlanParser incremental = parser.incremental();
        List<PlanStep> streamed = new ArrayList<>();
        PlanGraph chunked = null;
        PlanParseException chunkedError = null;
        try {
            int i = 0;
            while (i < text.length()) {
                int n = 1 + random.nextInt(16);
                incremental.feed(text.substring(i, Math.min(text.length(), i + n))).forEach(e -> streamed.add(e.step()));
                i += n;
            }
            List<PlanEvent> end = incremental.finish();
            for (PlanEvent e : end) {
                if (e instanceof PlanEvent.StepParsed parsed) {
                    streamed.add(parsed.step());
                } else {
                    chunked = ((PlanEvent.Completed) e).graph();
                }
            }
        } catch (PlanParseException e) {
            chunkedError = e;
        } catch (RuntimeException e) {
            throw new AssertionError("unexpected " + e + " for:\n" + text, e);
        }
        if (whole != null) {
            assertThat(chunked).as("chunked parse of:%n%s", text).isEqualTo(whole);
            assertThat(streamed).isEqualTo(whole.steps());
            assertInvariants(whole);
            return true;
        }
        if (chunkedError == null) {
            fail("whole parse failed (" + wholeError.getMessage() + ") but chunked succeeded for:\n" + text);
        }
        assertThat(chunkedError.line()).as("error line for:%n%s", text).isEqualTo(wholeError.line());
        assertThat(wholeError.line()).isPositive();
        return false;
    }

    private static void assertInvariants(PlanGraph graph) {
        Set<String> seen = new HashSet<>();
        for (PlanStep step : graph.steps()) {
            assertThat(step.input()).isNotBlank();
            assertThat(seen).containsAll(step.dependsOn());
            assertThat(step.dependsOn()).doesNotHaveDuplicates();
            assertThat(seen.add(step.id())).as("unique id %s", step.id()).isTrue();
        }
        assertThat(seen).containsAll(graph.answerDependsOn());
    }

    private static String mutate(String text, Random random, int times) {
        StringBuilder s = new StringBuilder(text);
        for (int t = 0; t < times && s.length() > 0; t++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(6)) {
                case 0 -> s.deleteCharAt(at);
                case 1 -> s.insert(at, PIECES[random.nextInt(PIECES.length)]);
                case 2 -> s.setLength(at);
                case 3 -> s.setCharAt(at, "[]:#=\n x9".charAt(random.nextInt(9)));
                case 4 -> {
                    String[] lines = s.toString().split("\n", -1);
                    int a = random.nextInt(lines.length);
                    int b = random.nextInt(lines.length);
                    String tmp = lines[a];
                    lines[a] = lines[b];
                    lines[b] = tmp;
                    s = new StringBuilder(String.join("\n", lines));
                }
                default -> {
                    String[] lines = s.toString().split("\n", -1);
                    int a = random.nextInt(lines.length);
                    s.append('\n').append(lines[a]);
                }
            }
        }
        return s.toString();
    }
}
