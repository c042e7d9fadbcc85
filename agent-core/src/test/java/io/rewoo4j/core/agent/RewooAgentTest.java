package io.rewoo4j.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.AnswerSource;
import io.rewoo4j.core.run.InMemoryRunStore;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.testing.ControlledTool;
import io.rewoo4j.core.testing.EventRecorder;
import io.rewoo4j.core.testing.ScriptedModel;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.prompt.PromptFormat;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class RewooAgentTest {

    private static final String QUESTION = "Who won the Nobel Prize in Literature in 2020?";

    private final Tool search = Tool.of("DuckDuckGo", "Web search; returns result titles, links and snippets.",
            r -> Mono.just(Evidence.of("results for " + r.input(), List.of(Source.of("https://example.org/" + r.stepId())))));
    private final Tool knowledge = Tool.of("KnowledgeModel", "Answers a question from a passage.",
            r -> Mono.just(Evidence.of("KM(" + r.input() + ")")));
    private final ScriptedModel model = new ScriptedModel();
    private final InMemoryRunStore store = new InMemoryRunStore(10);

    private RewooAgent agent(Tool... tools) {
        return agent(true, tools);
    }

    private RewooAgent agent(boolean solver, Tool... tools) {
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(tools))
                .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build();
        return RewooAgent.builder().model(model).promptFormat(PromptFormat.MISTRAL).executor(executor).store(store)
                .solver(solver).build();
    }

    private RunResult run(RewooAgent agent, String question) {
        RunResult[] out = new RunResult[1];
        StepVerifier.create(agent.run(question)).consumeNextWith(r -> out[0] = r).verifyComplete();
        return out[0];
    }

    @Test
    void aSingleReferenceAnswerIsThatStepsOutput() {
        model.then("Plan: Search.\n:evidence0: = DuckDuckGo[Nobel 2020]\n",
                "Plan: Read.\n:evidence1: = KnowledgeModel[Who won, given :evidence0:?]\nAnswer: :evidence1:");
        RunResult result = run(agent(search, knowledge), QUESTION);

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.answer()).isEqualTo("KM(Who won, given results for Nobel 2020?)");
        assertThat(result.answerSource()).isEqualTo(AnswerSource.REFERENCE);
        assertThat(result.question()).isEqualTo(QUESTION);
        assertThat(result.planText()).startsWith("Plan: Search.").endsWith("Answer: :evidence1:");
        assertThat(result.steps()).extracting(s -> s.status()).containsOnly(StepStatus.SUCCEEDED);
        assertThat(result.step("evidence0").orElseThrow().sources()).extracting(Source::url)
                .containsExactly("https://example.org/evidence0");
        assertThat(result.error()).isNull();
        assertThat(model.requests()).hasSize(1); // no solver call
    }

    @Test
    void thePlannerPromptListsTheRegisteredToolsAndTheQuestionAndStopsAtANewQuestion() {
        model.then(":evidence0: = DuckDuckGo[x]\n");
        run(agent(search, knowledge), QUESTION);

        String prompt = model.requests().get(0).prompt();
        assertThat(prompt).startsWith("[INST]")
                .contains("DuckDuckGo[input]: Web search; returns result titles, links and snippets.")
                .contains("KnowledgeModel[input]: Answers a question from a passage.")
                .contains(QUESTION);
        assertThat(model.requests().get(0).options().stopSequences()).contains("\nQuestion:");
    }

    @Test
    void aTemplateAnswerHasItsReferencesFilledIn() {
        model.then(":evidence0: = DuckDuckGo[a]\n:evidence1: = DuckDuckGo[b]\n"
                + "Answer: First :evidence0:, then :Evidence1:.");
        RunResult result = run(agent(search), QUESTION);
        assertThat(result.answer()).isEqualTo("First results for a, then results for b.");
        assertThat(result.answerSource()).isEqualTo(AnswerSource.TEMPLATE);
    }

    @Test
    void aFreeTextAnswerIsWrittenByTheSolverFromAllEvidence() {
        model.then("#E1 = DuckDuckGo[Nobel 2020]\n#E2 = KnowledgeModel[Who won, given #E1?]\n"
                        + "Answer: The laureate named in the evidence.")
                .then("Louise ", "Glück", "\n");
        RunResult result = run(agent(search, knowledge), QUESTION);

        assertThat(result.answer()).isEqualTo("Louise Glück");
        assertThat(result.answerSource()).isEqualTo(AnswerSource.SOLVER);
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        String solverPrompt = model.requests().get(1).prompt();
        assertThat(solverPrompt).contains(QUESTION).contains("results for Nobel 2020")
                .contains("KM(Who won, given results for Nobel 2020?)");
    }

    @Test
    void aPlanWithoutAnAnswerLineIsAnsweredByTheSolver() {
        model.then("#E1 = DuckDuckGo[Nobel 2020]\n#E2 = KnowledgeModel[Who won, given #E1?]\n").then("Louise Gl\u00fcck");
        RunResult result = run(agent(search, knowledge), QUESTION);

        assertThat(result.answer()).isEqualTo("Louise Gl\u00fcck");
        assertThat(result.answerSource()).isEqualTo(AnswerSource.SOLVER);
        assertThat(model.requests()).hasSize(2);
    }

    @Test
    void withoutASolverAPlanWithoutAnAnswerLineIsAnsweredByItsLastStep() {
        model.then("#E1 = DuckDuckGo[Nobel 2020]\n#E2 = KnowledgeModel[Who won, given #E1?]\n");
        RunResult result = run(agent(false, search, knowledge), QUESTION);

        assertThat(result.answer()).isEqualTo("KM(Who won, given results for Nobel 2020?)");
        assertThat(result.answerSource()).isEqualTo(AnswerSource.REFERENCE);
        assertThat(model.requests()).hasSize(1);
    }

    @Test
    void withoutASolverAFreeTextAnswerIsUsedAsWritten() {
        model.then("#E1 = DuckDuckGo[x]\nAnswer: See the search results.");
        RunResult result = run(agent(false, search), QUESTION);
        assertThat(result.answer()).isEqualTo("See the search results.");
        assertThat(result.answerSource()).isEqualTo(AnswerSource.LITERAL);
        assertThat(model.requests()).hasSize(1);
    }

    @Test
    void aFailingSolverFailsTheRunButKeepsTheEvidence() {
        model.then("#E1 = DuckDuckGo[x]\nAnswer: Summarise.").then(Flux.error(new IllegalStateException("GPU lost")));
        RunResult result = run(agent(search), QUESTION);
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.answer()).isNull();
        assertThat(result.error().code()).isEqualTo(RunError.SOLVER_FAILED);
        assertThat(result.error().message()).contains("GPU lost");
        assertThat(result.step("e1").orElseThrow().output()).isEqualTo("results for x");
    }

    @Test
    void anAnswerThatNeedsAFailedStepIsMissingAndTheRunFailed() {
        Tool broken = Tool.of("KnowledgeModel", "fails", r -> Mono.error(new IllegalStateException("model down")));
        model.then(":evidence0: = DuckDuckGo[x]\n:evidence1: = KnowledgeModel[:evidence0:]\nAnswer: :evidence1:");
        RunResult result = run(agent(search, broken), QUESTION);
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.answer()).isNull();
        assertThat(result.error().code()).isEqualTo(RunError.STEPS_FAILED);
        assertThat(result.step("evidence0").orElseThrow().output()).isEqualTo("results for x");
    }

    @Test
    void theFirstToolRunsWhileTheModelIsStillWritingThePlan() {
        ControlledTool slowSearch = new ControlledTool("DuckDuckGo");
        TestPublisher<String> completion = TestPublisher.create();
        model.then(completion.flux());
        EventRecorder run = EventRecorder.record(agent(slowSearch, knowledge).stream(QUESTION));

        completion.next("Plan: Search.\n:evidence0: = DuckDuckGo[Nobel 2020]\nPlan: Read");
        assertThat(slowSearch.calls()).hasSize(1);
        completion.assertWasNotCancelled();

        slowSearch.call(0).succeed("Glück");
        completion.next(".\n:evidence1: = KnowledgeModel[Who, given :evidence0:?]\nAnswer: :evidence1:");
        completion.complete();

        RunResult result = run.runResult();
        assertThat(result.answer()).isEqualTo("KM(Who, given Glück?)");
        assertThat(run.events().get(0)).isInstanceOf(RunEvent.RunStarted.class);
        assertThat(run.events().get(run.events().size() - 1)).isInstanceOf(RunEvent.RunFinished.class);
        assertThat(run.events(RunEvent.AnswerProduced.class)).singleElement()
                .satisfies(a -> assertThat(a.source()).isEqualTo(AnswerSource.REFERENCE));
    }

    @Test
    void aBadPlanFailsTheRunWithTheLineAndKeepsFinishedEvidence() {
        model.then(":evidence0: = DuckDuckGo[x]\n", "this line is not part of any plan\n");
        RunResult result = run(agent(search), QUESTION);
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.error().code()).isEqualTo("unexpected_line");
        assertThat(result.error().line()).isEqualTo(2);
        assertThat(result.plan()).isNull();
        assertThat(result.step("evidence0").orElseThrow().output()).isEqualTo("results for x");
    }

    @Test
    void aModelFailureBeforeAnyPlanIsAFailedRun() {
        model.then(Flux.error(new IllegalStateException("connection refused")));
        RunResult result = run(agent(search), QUESTION);
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.error().code()).isEqualTo(RunError.PLAN_STREAM_FAILED);
        assertThat(result.error().message()).contains("connection refused");
        assertThat(result.steps()).isEmpty();
    }

    @Test
    void runsAreStoredWhenTheyStartAndWhenTheyEnd() {
        ControlledTool slowSearch = new ControlledTool("DuckDuckGo");
        model.then(":evidence0: = DuckDuckGo[x]\nAnswer: :evidence0:\n");
        EventRecorder run = EventRecorder.record(agent(slowSearch).stream(QUESTION));
        String runId = run.events().get(0).runId();
        StepVerifier.create(store.find(runId))
                .assertNext(r -> assertThat(r.status()).isEqualTo(RunStatus.RUNNING)).verifyComplete();

        slowSearch.call(0).succeed("done");
        StepVerifier.create(store.find(runId))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
                    assertThat(r.answer()).isEqualTo("done");
                    assertThat(r).isEqualTo(run.runResult());
                })
                .verifyComplete();
    }

    @Test
    void cancellingARunCancelsItsToolsAndStoresWhatItGathered() {
        ControlledTool slow = new ControlledTool("KnowledgeModel");
        model.then(":evidence0: = DuckDuckGo[x]\n:evidence1: = KnowledgeModel[:evidence0:]\n");
        EventRecorder run = EventRecorder.record(agent(search, slow).stream(QUESTION));
        String runId = run.events().get(0).runId();
        assertThat(slow.calls()).hasSize(1);

        run.dispose();

        assertThat(slow.call(0).cancelled()).isTrue();
        StepVerifier.create(store.find(runId))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
                    assertThat(r.error().code()).isEqualTo(RunError.CANCELLED);
                    assertThat(r.step("evidence0").orElseThrow().output()).isEqualTo("results for x");
                    assertThat(r.step("evidence1").orElseThrow().status()).isEqualTo(StepStatus.RUNNING);
                    assertThat(r.finishedAt()).isNotNull();
                })
                .verifyComplete();
    }

    @Test
    void stoppingAtTheLastEventDoesNotMarkAFinishedRunCancelled() {
        model.then(":evidence0: = DuckDuckGo[x]\nAnswer: :evidence0:\n");
        RewooAgent agent = agent(search);
        String[] runId = new String[1];
        StepVerifier.create(agent.stream(QUESTION).doOnNext(e -> runId[0] = e.runId())
                        .filter(e -> e instanceof RunEvent.RunFinished).next())
                .expectNextCount(1).verifyComplete();
        StepVerifier.create(store.find(runId[0]))
                .assertNext(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED)).verifyComplete();
    }

    @Test
    void aGivenPlanIsExecutedAndAnsweredWithoutPlanning() {
        StepVerifier.create(agent(search).execute(
                        new PlanParser().parse(":evidence0: = DuckDuckGo[x]\nAnswer: :evidence0:"), null))
                .assertNext(result -> {
                    assertThat(result.answer()).isEqualTo("results for x");
                    assertThat(result.planText()).isNull();
                    assertThat(result.question()).isNull();
                })
                .verifyComplete();
        assertThat(model.requests()).isEmpty();
    }
}
