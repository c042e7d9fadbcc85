package io.rewoo4j.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.rewoo4j.core.run.AnswerSource;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParser;
import org.junit.jupiter.api.Test;

class AnswerDecisionTest {

    private final PlanParser parser = new PlanParser();
    private final Map<String, String> outputs = Map.of("evidence0", "zero", "evidence1", "one");

    private PlanGraph plan(String answerLine) {
        return parser.parse(":evidence0: = S[a]\n:evidence1: = S[b]\n" + answerLine);
    }

    @Test
    void aSingleReferenceResolvesToThatOutputEvenWithOtherWhitespace() {
        assertThat(AnswerDecision.decide(plan("Answer:   :evidence1:  "), outputs, true))
                .isEqualTo(new AnswerDecision.Resolved("one", AnswerSource.REFERENCE));
    }

    @Test
    void aMissingAnswerLineMeansTheLastStepWithoutASolver() {
        assertThat(AnswerDecision.decide(plan(""), outputs, false))
                .isEqualTo(new AnswerDecision.Resolved("one", AnswerSource.REFERENCE));
    }

    @Test
    void aMissingAnswerLineGoesToTheSolverWhenThereIsOne() {
        assertThat(AnswerDecision.decide(plan(""), outputs, true)).isInstanceOf(AnswerDecision.Solve.class);
    }

    @Test
    void aTemplateIsFilledInOnePass() {
        Map<String, String> tricky = Map.of("evidence0", "contains :evidence1:", "evidence1", "one");
        assertThat(AnswerDecision.decide(plan("Answer: :evidence0: / :evidence1:"), tricky, true))
                .isEqualTo(new AnswerDecision.Resolved("contains :evidence1: / one", AnswerSource.TEMPLATE));
    }

    @Test
    void freeTextGoesToTheSolverWhenThereIsOneAndIsLiteralOtherwise() {
        assertThat(AnswerDecision.decide(plan("Answer: the name found"), outputs, true))
                .isInstanceOf(AnswerDecision.Solve.class);
        assertThat(AnswerDecision.decide(plan("Answer: the name found"), outputs, false))
                .isEqualTo(new AnswerDecision.Resolved("the name found", AnswerSource.LITERAL));
    }

    @Test
    void anAnswerNeedingAStepWithoutOutputIsUnresolvedNamingIt() {
        AnswerDecision d = AnswerDecision.decide(plan("Answer: :evidence1:"), Map.of("evidence0", "zero"), true);
        assertThat(d).isInstanceOf(AnswerDecision.Unresolved.class);
        assertThat(((AnswerDecision.Unresolved) d).reason()).contains("evidence1");
    }

    @Test
    void anEmptyAnswerWithoutASolverIsUnresolved() {
        PlanGraph noAnswer = new PlanGraph(plan("").steps(), "", List.of());
        assertThat(AnswerDecision.decide(noAnswer, outputs, false)).isInstanceOf(AnswerDecision.Unresolved.class);
        assertThat(AnswerDecision.decide(noAnswer, outputs, true)).isInstanceOf(AnswerDecision.Solve.class);
    }
}
