package io.rewoo4j.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** Every validation error is typed, names its line and quotes it. */
class PlanValidationTest {

    private static PlanError errorOf(PlanParser parser, String text) {
        PlanParseException e = catchThrowableOfType(PlanParseException.class, () -> parser.parse(text));
        assertThat(e).as("expected a PlanParseException for:%n%s", text).isNotNull();
        assertThat(e.getMessage()).isEqualTo(e.error().message());
        assertThat(e.getMessage()).contains("line " + e.line() + ":").contains(e.error().lineText());
        return e.error();
    }

    private static PlanError errorOf(String text) {
        return errorOf(new PlanParser(), text);
    }

    @Test
    void undefinedReference() {
        PlanError error = errorOf("Plan: a\n:evidence0: = A[x]\nPlan: b\n:evidence1: = B[given :evidence7:]\n");
        assertThat(error).isEqualTo(new PlanError.UndefinedReference(4, ":evidence1: = B[given :evidence7:]", ":evidence7:"));
        assertThat(error.message()).contains(":evidence7: is not defined");
        assertThat(error.code()).isEqualTo("undefined_reference");
    }

    @Test
    void laterDefinedReferenceNamesWhereItIsDefined() {
        PlanError error = errorOf(":evidence0: = A[:evidence1:]\n:evidence1: = B[x]\n");
        assertThat(error).isEqualTo(new PlanError.ForwardReference(1, ":evidence0: = A[:evidence1:]", ":evidence1:", 2));
        assertThat(error.message()).contains("used before it is defined (on line 2)");
    }

    @Test
    void selfReference() {
        PlanError error = errorOf(":evidence0: = A[x]\n#E1 = B[#e1 again]");
        assertThat(error).isInstanceOf(PlanError.ForwardReference.class);
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.message()).contains("refers to its own step");
    }

    @Test
    void duplicateVariable() {
        PlanError error = errorOf(":evidence0: = A[x]\nPlan: again\n:Evidence0: = B[y]");
        assertThat(error).isEqualTo(new PlanError.DuplicateVariable(3, ":Evidence0: = B[y]", ":Evidence0:", 1));
    }

    @Test
    void emptyInput() {
        PlanError error = errorOf("Plan: go\n:evidence0: = A[   ]");
        assertThat(error).isEqualTo(new PlanError.EmptyInput(2, ":evidence0: = A[   ]", ":evidence0:"));
    }

    @Test
    void unknownToolWhenAToolSetIsGiven() {
        PlanParser strict = new PlanParser(PlanParserOptions.withTools(Set.of("DuckDuckGo", "KnowledgeModel")));
        PlanError error = errorOf(strict, ":evidence0: = DuckDuckGo[x]\n:evidence1: = Bing[y]");
        assertThat(error).isInstanceOf(PlanError.UnknownTool.class);
        assertThat(error.line()).isEqualTo(2);
        assertThat(((PlanError.UnknownTool) error).tool()).isEqualTo("Bing");
        assertThat(error.message()).contains("unknown tool 'Bing' (known: DuckDuckGo, KnowledgeModel)");
    }

    @Test
    void anyToolWhenNoToolSetIsGiven() {
        assertThat(new PlanParser().parse(":evidence0: = Bing[y]").steps().get(0).tool()).isEqualTo("Bing");
    }

    @Test
    void strayLineInsideThePlanBody() {
        PlanError error = errorOf("Here we go:\nPlan: a\n:evidence0: = A[x]\nthen think about it\n:evidence1: = B[y]");
        assertThat(error).isEqualTo(new PlanError.UnexpectedLine(4, "then think about it"));
    }

    @Test
    void stepWithoutBracketsIsAStrayLine() {
        PlanError error = errorOf("Plan: a\n:evidence0: = DuckDuckGo(query)");
        assertThat(error).isEqualTo(new PlanError.UnexpectedLine(2, ":evidence0: = DuckDuckGo(query)"));
    }

    @Test
    void unclosedBracket() {
        PlanError error = errorOf("Plan: a\n:evidence0: = A[never closed\nstill going");
        assertThat(error).isEqualTo(new PlanError.UnclosedBracket(2, ":evidence0: = A[never closed", ":evidence0:"));
    }

    @Test
    void unclosedBracketMeetingTheNextStep() {
        PlanError error = errorOf(":evidence0: = A[never closed\n:evidence1: = B[y]");
        assertThat(error).isInstanceOf(PlanError.UnclosedBracket.class);
        assertThat(error.line()).isEqualTo(1);
    }

    @Test
    void stepAfterTheAnswer() {
        PlanError error = errorOf(":evidence0: = A[x]\nAnswer: :evidence0:\n:evidence1: = B[y]");
        assertThat(error).isEqualTo(new PlanError.StepAfterAnswer(3, ":evidence1: = B[y]", 2));
    }

    @Test
    void answerReferringToAnUndefinedStep() {
        PlanError error = errorOf(":evidence0: = A[x]\nAnswer: :evidence4:");
        assertThat(error).isEqualTo(new PlanError.UndefinedAnswerReference(2, "Answer: :evidence4:", ":evidence4:"));
    }

    @Test
    void noStepsAtAll() {
        assertThat(errorOf("I cannot help with that.\n")).isEqualTo(new PlanError.NoSteps(1, "I cannot help with that."));
        assertThat(errorOf("")).isEqualTo(new PlanError.NoSteps(1, ""));
    }

    @Test
    void tooManySteps() {
        PlanParser small = new PlanParser(new PlanParserOptions(Set.of(), 2, 1000));
        PlanError error = errorOf(small, ":evidence0: = A[x]\n:evidence1: = A[x]\n:evidence2: = A[x]");
        assertThat(error).isInstanceOf(PlanError.LimitExceeded.class);
        assertThat(error.line()).isEqualTo(3);
    }

    @Test
    void lineTooLong() {
        PlanParser small = new PlanParser(new PlanParserOptions(Set.of(), 10, 100));
        PlanError error = errorOf(small, ":evidence0: = A[x]\n" + "y".repeat(500));
        assertThat(error).isInstanceOf(PlanError.LimitExceeded.class);
        assertThat(error.line()).isEqualTo(2);
    }

    @Test
    void aSpentParserKeepsReportingItsError() {
        IncrementalPlanParser p = new PlanParser().incremental();
        PlanParseException first = catchThrowableOfType(PlanParseException.class, () -> p.feed("Plan: a\nnonsense\n"));
        assertThat(catchThrowableOfType(PlanParseException.class, p::finishGraph)).isSameAs(first);
    }
}
