package io.rewoo4j.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlanParserTest {

    /** The seed card's example plan, as the docs show it (one copy for the docs and every test that needs it). */
    static final String SEED_PLAN = readExample("nobel-plan.txt");

    static String readExample(String name) {
        try {
            return Files.readString(Path.of("..", "docs", "examples", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final PlanParser parser = new PlanParser();

    private PlanGraph parse(String text) {
        return parser.parse(text);
    }

    @Test
    void parsesTheSeedPlanIntoTheGraph() {
        PlanGraph graph = parse(SEED_PLAN);

        assertThat(graph.steps()).extracting(PlanStep::id)
                .containsExactly("evidence0", "evidence1", "evidence2", "evidence3", "evidence4", "evidence5");
        PlanStep first = graph.steps().get(0);
        assertThat(first.variable()).isEqualTo(":evidence0:");
        assertThat(first.tool()).isEqualTo("DuckDuckGo");
        assertThat(first.input()).isEqualTo("Nobel Prize in Literature 2020 winner");
        assertThat(first.dependsOn()).isEmpty();
        assertThat(first.reasoning()).startsWith("Begin by conducting a web search");
        assertThat(first.line()).isEqualTo(2);
        assertThat(graph.steps().get(5).dependsOn()).containsExactly("evidence1", "evidence4");
        assertThat(graph.steps().get(5).input())
                .isEqualTo("What is the most famous work of :evidence1:, given :evidence4:?");
        assertThat(graph.answer()).isEqualTo(":evidence5:");
        assertThat(graph.answerDependsOn()).containsExactly("evidence5");
        assertThat(graph.answerIsSingleReference()).isTrue();
    }

    @Nested
    class PlanLines {

        @ParameterizedTest
        @ValueSource(strings = {"Plan: Search.", "Plan 1: Search.", "1. Plan: Search.", "- Plan: Search.",
                "* Plan: Search.", "**Plan:** Search.", "PLAN: Search.", "plan #1: Search.", "Step 1: Search.",
                "  2) Plan: Search."})
        void acceptsPlanLineSpellings(String planLine) {
            PlanGraph graph = parse(planLine + "\n:evidence0: = DuckDuckGo[x]\n");
            assertThat(graph.steps().get(0).reasoning()).isEqualTo("Search.");
        }

        @Test
        void reasoningFromSeveralPlanLinesIsJoined() {
            PlanGraph graph = parse("Plan: First.\nPlan: Second.\n:evidence0: = A[x]\n:evidence1: = B[y]");
            assertThat(graph.steps()).extracting(PlanStep::reasoning).containsExactly("First. Second.", "");
        }

        @Test
        void stepOnThePlanLineItself() {
            PlanGraph graph = parse("Plan: Search for it. #E1 = Search[Colorado orogeny]\n"
                    + "Plan: Read it. #E2 = LLM[What is it, given #E1?]");
            assertThat(graph.steps()).extracting(PlanStep::id).containsExactly("e1", "e2");
            assertThat(graph.steps().get(0).reasoning()).isEqualTo("Search for it.");
            assertThat(graph.steps().get(1).dependsOn()).containsExactly("e1");
        }
    }

    @Nested
    class Steps {

        @ParameterizedTest
        @ValueSource(strings = {":evidence0: = DuckDuckGo[q]", ":evidence0:=DuckDuckGo[q]",
                ":evidence0:   =   DuckDuckGo [q]", ":EVIDENCE0: = DuckDuckGo[q]", "- :evidence0: = DuckDuckGo[q]",
                "1. :evidence0: = DuckDuckGo[q]", "**:evidence0:** = DuckDuckGo[q]", ":evidence0: = DuckDuckGo  [q]"})
        void acceptsStepSpellings(String line) {
            PlanStep step = parse(line).steps().get(0);
            assertThat(step.id()).isEqualTo("evidence0");
            assertThat(step.tool()).isEqualTo("DuckDuckGo");
            assertThat(step.input()).isEqualTo("q");
        }

        @Test
        void paperStyleVariables() {
            PlanGraph graph = parse("""
                    Plan: Search for more information about Colorado orogeny.
                    #E1 = Wikipedia[Colorado orogeny]
                    Plan: Find out the elevation range.
                    #E2 = LLM[What is the elevation range of the area, given #E1?]
                    """);
            assertThat(graph.steps()).extracting(PlanStep::variable).containsExactly("#E1", "#E2");
            assertThat(graph.steps()).extracting(PlanStep::id).containsExactly("e1", "e2");
            assertThat(graph.answer()).isEqualTo("#E2");
            assertThat(graph.answerDependsOn()).containsExactly("e2");
        }

        @Test
        void nestedBracketsTakeTheOutermostPair() {
            PlanStep step = parse(":evidence0: = A[x]\n:evidence1: = KnowledgeModel[What is [x] in :evidence0:?]")
                    .steps().get(1);
            assertThat(step.input()).isEqualTo("What is [x] in :evidence0:?");
            assertThat(step.dependsOn()).containsExactly("evidence0");
        }

        @Test
        void unbalancedLookingClosingBracketsStayInTheInput() {
            PlanStep step = parse(":evidence0: = KnowledgeModel[Is a] b the same as c]?] and more").steps().get(0);
            assertThat(step.input()).isEqualTo("Is a] b the same as c]?");
        }

        @Test
        void unbalancedOpeningBracketEndsAtTheNextPlanLine() {
            PlanGraph graph = parse(":evidence0: = KnowledgeModel[What is [x in y?]\nPlan: next\n:evidence1: = A[z]");
            assertThat(graph.steps().get(0).input()).isEqualTo("What is [x in y?");
            assertThat(graph.steps()).hasSize(2);
        }

        @Test
        void inputContinuesOverLinesUntilTheBracketCloses() {
            PlanGraph graph = parse("""
                    Plan: Scrape both.
                    :evidence0: = TextScraper[https://example.com/a
                    https://example.com/b

                    https://example.com/c]
                    Answer: :evidence0:
                    """);
            assertThat(graph.steps().get(0).input())
                    .isEqualTo("https://example.com/a\nhttps://example.com/b\n\nhttps://example.com/c");
            assertThat(graph.steps().get(0).line()).isEqualTo(2);
        }

        @Test
        void evidenceNumbersMayStartAtOneAndSkip() {
            PlanGraph graph = parse(":evidence1: = A[x]\n:evidence3: = B[:evidence1:]\n:evidence7: = C[:evidence3:]");
            assertThat(graph.steps()).extracting(PlanStep::id).containsExactly("evidence1", "evidence3", "evidence7");
        }

        @Test
        void referencesAreWholeTokens() {
            StringBuilder plan = new StringBuilder();
            for (int i = 0; i <= 10; i++) {
                plan.append(":evidence").append(i).append(": = A[q").append(i).append("]\n");
            }
            plan.append(":evidence11: = B[compare :evidence10: with :evidence1:]\n");
            PlanStep last = parse(plan.toString()).steps().get(11);
            assertThat(last.dependsOn()).containsExactly("evidence10", "evidence1");
        }

        @Test
        void hashReferencesAreWholeTokens() {
            StringBuilder plan = new StringBuilder();
            for (int i = 1; i <= 10; i++) {
                plan.append("#E").append(i).append(" = A[q").append(i).append("]\n");
            }
            plan.append("#E11 = B[#E10 and #E1, not #E1x]\n");
            assertThat(parse(plan.toString()).steps().get(10).dependsOn()).containsExactly("e10", "e1");
        }

        @Test
        void referencesAreCaseInsensitiveAndListedOnce() {
            PlanGraph graph = parse(":Evidence0: = A[x]\n:evidence1: = B[:EVIDENCE0: and :evidence0: again]");
            assertThat(graph.steps().get(1).dependsOn()).containsExactly("evidence0");
            assertThat(graph.steps().get(0).variable()).isEqualTo(":Evidence0:");
        }

        @Test
        void unrelatedColonWordsAreNotReferences() {
            PlanGraph graph = parse(":evidence0: = A[say :smile1: at 10:30:00]");
            assertThat(graph.steps().get(0).dependsOn()).isEmpty();
        }

        @Test
        void knownToolsMatchIgnoringCaseAndKeepTheRegisteredSpelling() {
            PlanParser strict = new PlanParser(PlanParserOptions.withTools(java.util.Set.of("DuckDuckGo")));
            assertThat(strict.parse(":evidence0: = duckduckgo[x]").steps().get(0).tool()).isEqualTo("DuckDuckGo");
        }
    }

    @Nested
    class Answers {

        @Test
        void severalReferences() {
            PlanGraph graph = parse(":evidence0: = A[x]\n:evidence1: = B[y]\nAnswer: :evidence1: :evidence0:");
            assertThat(graph.answerDependsOn()).containsExactly("evidence1", "evidence0");
            assertThat(graph.answerIsSingleReference()).isFalse();
        }

        @Test
        void freeTextWithReferences() {
            PlanGraph graph = parse(":evidence0: = A[x]\n:evidence1: = B[y]\nAnswer: The winner is :evidence1:.");
            assertThat(graph.answer()).isEqualTo("The winner is :evidence1:.");
            assertThat(graph.answerDependsOn()).containsExactly("evidence1");
        }

        @Test
        void freeTextWithoutReferences() {
            PlanGraph graph = parse(":evidence0: = A[x]\nAnswer: It depends on the weather.");
            assertThat(graph.answerDependsOn()).isEmpty();
        }

        @Test
        void missingAnswerIsTheLastStep() {
            PlanGraph graph = parse(":evidence0: = A[x]\n:evidence1: = B[:evidence0:]\n");
            assertThat(graph.answer()).isEqualTo(":evidence1:");
            assertThat(graph.answerDependsOn()).containsExactly("evidence1");
            assertThat(graph.answerWritten()).isFalse();
            assertThat(parse(":evidence0: = A[x]\nAnswer: :evidence0:").answerWritten()).isTrue();
        }

        @Test
        void answerContinuesToTheNextLinesUntilABlankLine() {
            PlanGraph graph = parse(":evidence0: = A[x]\nAnswer:\n:evidence0:\n\nI hope this helps!\nPlan: more");
            assertThat(graph.answer()).isEqualTo(":evidence0:");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Answer: :evidence0:", "Final Answer: :evidence0:", "**Answer:** :evidence0:",
                "answer: :evidence0:", "- Answer: :evidence0:"})
        void answerSpellings(String answerLine) {
            PlanGraph graph = parse(":evidence0: = A[x]\n" + answerLine);
            assertThat(graph.answer()).isEqualTo(":evidence0:");
            assertThat(graph.answerIsSingleReference()).isTrue();
        }
    }

    @Nested
    class Surroundings {

        @Test
        void preambleFencesBlankLinesAndCrlf() {
            String text = "Sure, here is the plan:\r\n\r\n```text\r\nPlan: Search.\r\n\r\n:evidence0: = A[x]\r\n"
                    + "Answer: :evidence0:\r\n```\r\nLet me know if you need more.";
            PlanGraph graph = parse(text);
            assertThat(graph.steps()).hasSize(1);
            assertThat(graph.steps().get(0).input()).isEqualTo("x");
            assertThat(graph.steps().get(0).line()).isEqualTo(6);
            assertThat(graph.answer()).isEqualTo(":evidence0:");
        }

        @Test
        void byteOrderMarkAndNoBreakSpaces() {
            PlanGraph graph = parse("\uFEFFPlan: go\n\u00A0:evidence0: = A[x]\n");
            assertThat(graph.steps()).hasSize(1);
            assertThat(graph.steps().get(0).reasoning()).isEqualTo("go");
        }

        @Test
        void anAnswerInThePreambleIsNotTheAnswer() {
            PlanGraph graph = parse("Answer: [:evidence[n]: containing the final answer.]\nPlan: go\n:evidence0: = A[x]");
            assertThat(graph.answer()).isEqualTo(":evidence0:");
        }
    }

    @Test
    void streamedStepsEqualTheWholeParse() {
        PlanGraph whole = parse(SEED_PLAN);
        IncrementalPlanParser incremental = parser.incremental();
        List<PlanStep> streamed = new java.util.ArrayList<>();
        for (int i = 0; i < SEED_PLAN.length(); i += 3) {
            incremental.feed(SEED_PLAN.substring(i, Math.min(SEED_PLAN.length(), i + 3)))
                    .forEach(e -> streamed.add(e.step()));
        }
        assertThat(incremental.finish()).containsExactly(new PlanEvent.Completed(whole));
        assertThat(streamed).isEqualTo(whole.steps());
    }
}
