package io.rewoo4j.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.event.RunListener;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.InMemoryRunStore;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.RunStore;
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

class RunListenerTest {

    private static final String QUESTION = "Who won the Nobel Prize in Literature in 2020?";

    private final Tool search = Tool.of("DuckDuckGo", "Web search.", r -> Mono.just(Evidence.of("results for " + r.input())));
    private final ScriptedModel model = new ScriptedModel();

    private RewooAgent.Builder agent(Tool... tools) {
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(tools))
                .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build();
        return RewooAgent.builder().model(model).promptFormat(PromptFormat.MISTRAL).executor(executor).solver(false);
    }

    @Test
    void everyListenerSeesEveryEventOfTheRunInTheOrderTheSubscriberSeesThem() {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        model.then(":evidence0: = DuckDuckGo[x]\n", ":evidence1: = DuckDuckGo[:evidence0:]\nAnswer: :evidence1:\n");
        RewooAgent agent = agent(search).listener(first).listeners(List.of(second)).build();

        List<RunEvent> seen = agent.stream(QUESTION).collectList().block();

        assertThat(seen).first().isInstanceOf(RunEvent.RunStarted.class);
        assertThat(seen).last().isInstanceOf(RunEvent.RunFinished.class);
        assertThat(first.events).containsExactlyElementsOf(seen);
        assertThat(second.events).containsExactlyElementsOf(seen);
    }

    @Test
    void aThrowingListenerBreaksNeitherTheRunNorTheOtherListeners() {
        Recorder after = new Recorder();
        model.then(":evidence0: = DuckDuckGo[x]\nAnswer: :evidence0:\n");
        RewooAgent agent = agent(search).listener(event -> {
            throw new IllegalStateException("listener bug");
        }).listener(after).build();

        StepVerifier.create(agent.run(QUESTION))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
                    assertThat(r.answer()).isEqualTo("results for x");
                })
                .verifyComplete();
        assertThat(after.events).hasSizeGreaterThan(2);
        assertThat(after.finished()).singleElement()
                .satisfies(f -> assertThat(f.result().status()).isEqualTo(RunStatus.SUCCEEDED));
    }

    @Test
    void aCancelledRunEndsForTheListenersWithOneCancelledRunFinished() {
        ControlledTool slow = new ControlledTool("KnowledgeModel");
        Recorder listener = new Recorder();
        model.then(":evidence0: = DuckDuckGo[x]\n:evidence1: = KnowledgeModel[:evidence0:]\n");
        EventRecorder run = EventRecorder.record(agent(search, slow).listener(listener).build().stream(QUESTION));
        assertThat(slow.calls()).hasSize(1);
        assertThat(listener.finished()).isEmpty();

        run.dispose();

        assertThat(listener.events).first().isInstanceOf(RunEvent.RunStarted.class);
        assertThat(listener.finished()).singleElement().satisfies(f -> {
            assertThat(f.runId()).isEqualTo(run.events().get(0).runId());
            assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(f.result().error().code()).isEqualTo(RunError.CANCELLED);
            assertThat(f.result().step("evidence0").orElseThrow().output()).isEqualTo("results for x");
        });
        assertThat(listener.events).last().isInstanceOf(RunEvent.RunFinished.class);
    }

    @Test
    void aSubscriberThatStopsAtRunFinishedDoesNotMakeTheListenersSeeACancellation() {
        Recorder listener = new Recorder();
        model.then(":evidence0: = DuckDuckGo[x]\nAnswer: :evidence0:\n");
        RewooAgent agent = agent(search).listener(listener).build();

        StepVerifier.create(agent.stream(QUESTION).filter(e -> e instanceof RunEvent.RunFinished).next())
                .expectNextCount(1).verifyComplete();

        assertThat(listener.finished()).singleElement()
                .satisfies(f -> assertThat(f.result().status()).isEqualTo(RunStatus.SUCCEEDED));
    }

    @Test
    void aRunThatFailsWithADefectEndsForTheListenersAsAnInternalFailure() {
        // a store that cannot save a finished run makes the run's stream fail: a defect, not a failed run
        InMemoryRunStore memory = new InMemoryRunStore(10);
        RunStore brokenStore = new RunStore() {
            @Override
            public Mono<RunResult> save(RunResult run) {
                return run.status() == RunStatus.RUNNING ? memory.save(run)
                        : Mono.error(new IllegalStateException("disk full"));
            }

            @Override
            public Mono<RunResult> find(String runId) {
                return memory.find(runId);
            }

            @Override
            public Flux<RunResult> recent(int limit) {
                return memory.recent(limit);
            }
        };
        Recorder listener = new Recorder();
        model.then(":evidence0: = DuckDuckGo[x]\nAnswer: :evidence0:\n");
        RewooAgent agent = agent(search).store(brokenStore).listener(listener).build();

        StepVerifier.create(agent.run(QUESTION)).expectErrorMessage("disk full").verify();

        assertThat(listener.finished()).singleElement().satisfies(f -> {
            assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
            assertThat(f.result().error().code()).isEqualTo(RunError.INTERNAL);
            assertThat(f.result().error().message()).contains("disk full");
        });
    }

    @Test
    void givenPlansAreObservedToo() {
        Recorder listener = new Recorder();
        RewooAgent agent = agent(search).listener(listener).build();

        StepVerifier.create(agent.execute(new PlanParser().parse(":evidence0: = DuckDuckGo[x]\nAnswer: :evidence0:"), null))
                .expectNextCount(1).verifyComplete();

        assertThat(listener.events).hasAtLeastOneElementOfType(RunEvent.StepSucceeded.class);
        assertThat(listener.finished()).singleElement()
                .satisfies(f -> assertThat(f.result().answer()).isEqualTo("results for x"));
        assertThat(model.requests()).isEmpty();
    }

    private static final class Recorder implements RunListener {
        final List<RunEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(RunEvent event) {
            events.add(event);
        }

        List<RunEvent.RunFinished> finished() {
            return events.stream().filter(RunEvent.RunFinished.class::isInstance).map(RunEvent.RunFinished.class::cast)
                    .toList();
        }
    }
}
