package io.rewoo4j.core.execute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.testing.ControlledTool;
import io.rewoo4j.core.testing.EventRecorder;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.PlanParserOptions;
import org.junit.jupiter.api.Test;
import reactor.test.publisher.TestPublisher;

/** Plan text streamed through the real parser into the executor, as the agent does with the model's output. */
class ParsedPlanExecutionTest {

    private final ControlledTool search = new ControlledTool("DuckDuckGo");
    private final ControlledTool knowledge = new ControlledTool("KnowledgeModel");
    private final PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(search, knowledge))
            .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build();
    private final PlanParser parser = new PlanParser(PlanParserOptions.withTools(Set.of("DuckDuckGo", "KnowledgeModel")));
    private final TestPublisher<String> model = TestPublisher.create();

    @Test
    void theFirstToolCallStartsAsSoonAsItsLineIsCompleteWhileTheModelIsStillWriting() {
        EventRecorder run = EventRecorder.record(executor.execute("r", parser.parse(model)));

        model.next("Plan: Search for the winner.\n:evidence0: = DuckDuck", "Go[Nobel Prize in Literature 2020");
        assertThat(search.calls()).isEmpty(); // the line is not complete yet
        model.next(" winner]\nPlan: Interpret.\n:evidence1: = Knowl");
        assertThat(search.calls()).hasSize(1);
        assertThat(search.call(0).input()).isEqualTo("Nobel Prize in Literature 2020 winner");
        model.assertWasNotCancelled();
        assertThat(run.completed()).isFalse();

        search.call(0).succeed("Louise Glück won.");
        model.next("edgeModel[Who won, given :evidence0:?]\nAnswer: :evidence1:");
        assertThat(knowledge.calls()).hasSize(1);
        assertThat(knowledge.call(0).input()).isEqualTo("Who won, given Louise Glück won.?");
        knowledge.call(0).succeed("Louise Glück");
        assertThat(run.completed()).isFalse(); // the model has not finished

        model.complete();
        ExecutionResult result = run.result();
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.plan().answer()).isEqualTo(":evidence1:");
        assertThat(result.steps()).extracting(s -> s.output()).containsExactly("Louise Glück won.", "Louise Glück");
        assertThat(run.events(RunEvent.StepPlanned.class).get(0).step().reasoning()).isEqualTo("Search for the winner.");
    }

    @Test
    void aParseErrorMidStreamEndsTheRunWithItsLineAndKeepsFinishedSteps() {
        EventRecorder run = EventRecorder.record(executor.execute("r", parser.parse(model)));
        model.next(":evidence0: = DuckDuckGo[first]\n");
        search.call(0).succeed("first result");
        model.next(":evidence1: = DuckDuckGo[second]\n");
        assertThat(search.calls()).hasSize(2);

        model.next(":evidence2: = KnowledgeModel[about :evidence7:]\n");

        ExecutionResult result = run.result();
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.error().code()).isEqualTo("undefined_reference");
        assertThat(result.error().line()).isEqualTo(3);
        assertThat(result.error().message()).contains(":evidence7:");
        assertThat(result.step("evidence0").orElseThrow().output()).isEqualTo("first result");
        assertThat(result.step("evidence1").orElseThrow().status()).isEqualTo(StepStatus.FAILED);
        assertThat(result.step("evidence1").orElseThrow().error().kind()).isEqualTo(StepError.Kind.RUN_ABORTED);
        assertThat(search.call(1).cancelled()).isTrue();
        assertThat(knowledge.calls()).isEmpty();
        model.assertCancelled();
    }

    @Test
    void anUnknownToolIsReportedByTheParserWithItsLine() {
        EventRecorder run = EventRecorder.record(executor.execute("r", parser.parse(model)));
        model.next(":evidence0: = Google[x]\n");
        assertThat(run.result().error().code()).isEqualTo("unknown_tool");
        assertThat(run.result().error().line()).isEqualTo(1);
        assertThat(search.calls()).isEmpty();
    }
}
