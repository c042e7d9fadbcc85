package io.rewoo4j.config.observation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.prompt.PromptFormat;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class RunMetricsTests {

    private static final String QUESTION = "What is the capital of Norway?";

    /** A fake of the external model: each completion is the next scripted plan. */
    private static final class ScriptedPlans implements LanguageModel {
        private final Queue<String> plans = new ConcurrentLinkedQueue<>();

        ScriptedPlans then(String plan) {
            plans.add(plan);
            return this;
        }

        @Override
        public Flux<String> generate(GenerationRequest request) {
            return Flux.defer(() -> {
                String plan = plans.poll();
                return plan == null ? Flux.error(new AssertionError("no plan scripted")) : Flux.just(plan);
            });
        }
    }

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ScriptedPlans model = new ScriptedPlans();
    private final Sinks.One<Evidence> held = Sinks.one();
    private final ToolRegistry tools = ToolRegistry.of(
            Tool.of("Search", "Searches.", r -> Mono.just(Evidence.of("results for " + r.input()))),
            Tool.of("Flaky", "Fails.", r -> Mono.error(new ToolException("upstream returned 503", true))),
            Tool.of("Held", "Waits for the test.", r -> held.asMono()));
    private final RunMetrics metrics = new RunMetrics(meters, tools);
    private final RewooAgent agent = RewooAgent.builder().model(model).promptFormat(PromptFormat.MISTRAL)
            .executor(PlanExecutor.builder(tools).policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build())
            .solver(false).listener(metrics).build();

    private RunResult run(String question) {
        RunResult[] out = new RunResult[1];
        StepVerifier.create(agent.run(question)).consumeNextWith(r -> out[0] = r).verifyComplete();
        return out[0];
    }

    private long timerCount(String name, String... tags) {
        var timer = meters.find(name).tags(tags).timer();
        return timer == null ? 0 : timer.count();
    }

    private double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double active() {
        return meters.get(RunMetrics.RUNS_ACTIVE).gauge().value();
    }

    @Test
    void aSucceededRunRecordsTheRunAndEachStepUnderTheRegisteredToolName() {
        model.then(":evidence0: = Search[capital of Norway]\n:evidence1: = search[Oslo :evidence0:]\nAnswer: :evidence1:");

        assertThat(run(QUESTION).status()).isEqualTo(RunStatus.SUCCEEDED);

        assertThat(timerCount(RunMetrics.RUNS, "status", "succeeded")).isEqualTo(1);
        // the model wrote "search": the tag is the registered name, so spellings do not split the series
        assertThat(timerCount(RunMetrics.STEPS, "tool", "Search", "status", "succeeded")).isEqualTo(2);
        assertThat(meters.find(RunMetrics.STEPS).tag("tool", "search").timer()).isNull();
        assertThat(meters.find(RunMetrics.STEP_FAILURES).counter()).isNull();
        assertThat(active()).isZero();
    }

    @Test
    void failuresAreCountedByKindAndTheirDependantsAsSkipped() {
        model.then(":evidence0: = Flaky[x]\n:evidence1: = Search[:evidence0:]\n:evidence2: = Search[y]\n"
                + "Answer: :evidence1:");

        assertThat(run(QUESTION).status()).isEqualTo(RunStatus.FAILED);

        assertThat(timerCount(RunMetrics.RUNS, "status", "failed")).isEqualTo(1);
        assertThat(timerCount(RunMetrics.STEPS, "tool", "Flaky", "status", "failed")).isEqualTo(1);
        assertThat(counter(RunMetrics.STEP_FAILURES, "tool", "Flaky", "kind", "tool_error")).isEqualTo(1);
        assertThat(counter(RunMetrics.STEPS_SKIPPED, "tool", "Search", "kind", "dependency_failed")).isEqualTo(1);
        assertThat(timerCount(RunMetrics.STEPS, "tool", "Search", "status", "succeeded")).isEqualTo(1);
    }

    @Test
    void aToolTheRegistryDoesNotKnowIsTaggedUnknownWhateverTheModelWrote() {
        StepVerifier.create(agent.execute(new PlanParser().parse(
                        ":evidence0: = Wikipedia_7f3a9c[Oslo]\nAnswer: :evidence0:"), null))
                .assertNext(r -> assertThat(r.status()).isEqualTo(RunStatus.FAILED))
                .verifyComplete();

        assertThat(counter(RunMetrics.STEP_FAILURES, "tool", RunMetrics.UNKNOWN_TOOL, "kind", "unknown_tool"))
                .isEqualTo(1);
        // a step whose tool never ran has no duration to time
        assertThat(meters.find(RunMetrics.STEPS).timers()).extracting(m -> m.getId().toString()).isEmpty();
    }

    @Test
    void theActiveGaugeFollowsRunsIncludingCancelledOnes() {
        model.then(":evidence0: = Held[x]\nAnswer: :evidence0:");
        model.then(":evidence0: = Held[x]\nAnswer: :evidence0:");
        Disposable first = agent.run(QUESTION).subscribe();
        List<RunResult> second = new java.util.concurrent.CopyOnWriteArrayList<>();
        agent.run(QUESTION).subscribe(second::add);
        assertThat(active()).isEqualTo(2);

        first.dispose();
        assertThat(active()).isEqualTo(1);
        assertThat(timerCount(RunMetrics.RUNS, "status", "cancelled")).isEqualTo(1);

        held.tryEmitValue(Evidence.of("done"));
        assertThat(second).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED));
        assertThat(active()).isZero();
        assertThat(timerCount(RunMetrics.RUNS, "status", "succeeded")).isEqualTo(1);
    }

    @Test
    void noTagEverHoldsARunIdAQuestionOrAnInput() {
        model.then(":evidence0: = Search[secret input 42]\nAnswer: :evidence0:");
        model.then(":evidence0: = Flaky[another input]\n:evidence1: = Search[:evidence0:]\nAnswer: :evidence1:");
        RunResult one = run("secret question");
        RunResult two = run("another question");

        Set<String> allowed = Set.of("status", "tool", "kind");
        for (Meter meter : meters.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                assertThat(tag.getKey()).isIn(allowed);
                assertThat(tag.getValue()).isIn("succeeded", "failed", "Search", "Flaky", "tool_error",
                        "dependency_failed");
                assertThat(tag.getValue()).isNotIn(one.runId(), two.runId());
            }
        }
        assertThat(meters.getMeters()).extracting(m -> m.getId().getName()).containsOnly(RunMetrics.RUNS,
                RunMetrics.RUNS_ACTIVE, RunMetrics.STEPS, RunMetrics.STEP_FAILURES, RunMetrics.STEPS_SKIPPED);
    }
}
