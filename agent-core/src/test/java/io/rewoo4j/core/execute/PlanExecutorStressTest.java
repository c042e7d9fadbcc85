package io.rewoo4j.core.execute;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepResult;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.EvidenceReferences;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanStep;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Many concurrent runs of random plans whose tools answer (or fail) on other threads: every run must finish with
 * statuses and inputs that follow from the plan alone, and the limits must hold throughout.
 */
class PlanExecutorStressTest {

    private static final int RUNS = 300;
    private static final int STEPS = 15;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> inFlightByTool = new HashMap<>();
    private final Map<String, AtomicInteger> maxByTool = new HashMap<>();

    private Tool tool(String name) {
        inFlightByTool.put(name, new AtomicInteger());
        maxByTool.put(name, new AtomicInteger());
        return Tool.of(name, "answers on another thread", r -> Mono.defer(() -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            maxByTool.get(name).accumulateAndGet(inFlightByTool.get(name).incrementAndGet(), Math::max);
            AtomicBoolean over = new AtomicBoolean();
            Runnable end = () -> {
                if (over.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                    inFlightByTool.get(name).decrementAndGet();
                }
            };
            Mono<Evidence> answer = fails(r.input())
                    ? Mono.error(new ToolException("fails on " + r.input(), false))
                    : Mono.just(Evidence.of(name + "<" + r.input() + ">"));
            return Mono.delay(Duration.ofNanos(r.input().hashCode() & 0xFFFF), Schedulers.parallel())
                    .then(answer)
                    .publishOn(Schedulers.boundedElastic())
                    .doOnTerminate(end)
                    .doOnCancel(end);
        }));
    }

    private static boolean fails(String input) {
        return Math.floorMod(input.hashCode(), 11) == 0;
    }

    private static PlanGraph randomPlan(Random random, int run) {
        List<PlanStep> steps = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            StringBuilder input = new StringBuilder("r" + run + "s" + i);
            List<String> deps = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                if (random.nextInt(5) == 0) {
                    input.append(" :e").append(j).append(':');
                    deps.add("e" + j);
                }
            }
            String tool = new String[] {"A", "B", "C"}[random.nextInt(3)];
            steps.add(new PlanStep("e" + i, ":e" + i + ":", tool, input.toString(), deps, "", i + 1));
        }
        return new PlanGraph(steps, ":e" + (STEPS - 1) + ":", List.of("e" + (STEPS - 1)));
    }

    @Test
    void concurrentRunsFinishConsistentlyWithinTheLimits() {
        ToolPolicies policies = ToolPolicies.of(ToolPolicy.unguarded(3)).with("C", ToolPolicy.unguarded(1));
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(tool("A"), tool("B"), tool("C")))
                .policies(policies).maxConcurrency(5).build();
        Random random = new Random(42);
        List<PlanGraph> plans = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            plans.add(randomPlan(random, i));
        }

        StepVerifier.create(Flux.fromIterable(plans).flatMap(executor::run, RUNS).collectList())
                .assertNext(results -> {
                    assertThat(results).hasSize(RUNS);
                    results.forEach(this::assertConsistent);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(5);
        assertThat(maxByTool.get("A").get()).isLessThanOrEqualTo(3);
        assertThat(maxByTool.get("C").get()).isEqualTo(1);
        assertThat(executor.callsInFlight()).isZero();
    }

    /** Replays the plan sequentially and compares every step with what the executor reported. */
    private void assertConsistent(ExecutionResult result) {
        Map<String, String> outputs = new HashMap<>();
        boolean allSucceeded = true;
        for (StepResult step : result.steps()) {
            PlanStep planned = result.plan().step(step.id()).orElseThrow();
            boolean depsOk = planned.dependsOn().stream().allMatch(outputs::containsKey);
            if (!depsOk) {
                assertThat(step.status()).isEqualTo(StepStatus.SKIPPED);
                allSucceeded = false;
                continue;
            }
            String input = EvidenceReferences.substitute(planned.input(), outputs);
            assertThat(step.input()).isEqualTo(input);
            if (fails(input)) {
                assertThat(step.status()).isEqualTo(StepStatus.FAILED);
                allSucceeded = false;
            } else {
                assertThat(step.status()).isEqualTo(StepStatus.SUCCEEDED);
                assertThat(step.output()).isEqualTo(planned.tool() + "<" + input + ">");
                outputs.put(step.id(), step.output());
            }
        }
        assertThat(result.status()).isEqualTo(allSucceeded ? RunStatus.SUCCEEDED : RunStatus.FAILED);
    }
}
