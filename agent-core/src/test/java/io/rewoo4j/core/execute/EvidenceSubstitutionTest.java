package io.rewoo4j.core.execute;

import static io.rewoo4j.core.testing.Plans.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanStep;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** How evidence reaches a dependant's input. */
class EvidenceSubstitutionTest {

    /** "Out" answers with the text the test set for the step; "Echo" returns its input. */
    private final Map<String, String> outputs = new HashMap<>();
    private final Tool out = Tool.of("Out", "emits the text set for the step",
            r -> Mono.just(Evidence.of(outputs.get(r.stepId()))));
    private final Tool echo = Tool.of("Echo", "returns its input", r -> Mono.just(Evidence.of(r.input())));
    private final PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(out, echo))
            .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build();

    private String inputOfLastStep(List<PlanStep> steps) {
        PlanGraph plan = new PlanGraph(steps, steps.get(steps.size() - 1).variable(),
                List.of(steps.get(steps.size() - 1).id()));
        ExecutionResult[] result = new ExecutionResult[1];
        StepVerifier.create(executor.run(plan)).consumeNextWith(r -> result[0] = r).verifyComplete();
        return result[0].steps().get(steps.size() - 1).input();
    }

    @Test
    void toolsSeeTheRunTheUnsubstitutedTemplateAndTheirDependenciesEvidence() {
        List<io.rewoo4j.core.tool.ToolRequest> seen = new ArrayList<>();
        Tool recorder = Tool.of("Record", "records its request", r -> {
            seen.add(r);
            return Mono.just(Evidence.of("done"));
        });
        PlanExecutor recording = PlanExecutor.builder(ToolRegistry.of(out, recorder))
                .policies(ToolPolicies.of(ToolPolicy.unguarded(8))).build();
        outputs.put("evidence0", "V0");
        List<PlanStep> steps = List.of(step("evidence0", "Out", "a"), step("evidence1", "Record", "given :evidence0:?"));
        PlanGraph plan = new PlanGraph(steps, ":evidence1:", List.of("evidence1"));

        StepVerifier.create(recording.execute("run-42", reactor.core.publisher.Flux.just(
                        new io.rewoo4j.planner.PlanEvent.Completed(plan))).then())
                .verifyComplete();

        assertThat(seen).singleElement().satisfies(r -> {
            assertThat(r.runId()).isEqualTo("run-42");
            assertThat(r.stepId()).isEqualTo("evidence1");
            assertThat(r.input()).isEqualTo("given V0?");
            assertThat(r.template()).isEqualTo("given :evidence0:?");
            assertThat(r.evidence()).containsOnlyKeys("evidence0");
            assertThat(r.evidence().get("evidence0").text()).isEqualTo("V0");
        });
    }

    @Test
    void evidence1IsNotMatchedInsideEvidence10() {
        List<PlanStep> steps = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            steps.add(step("evidence" + i, "Out", "v"));
            outputs.put("evidence" + i, "V" + i);
        }
        steps.add(step("evidence11", "Echo", ":evidence1: / :evidence10:"));
        assertThat(inputOfLastStep(steps)).isEqualTo("V1 / V10");
    }

    @Test
    void evidenceTextThatLooksLikeAReferenceIsNotSubstitutedAgain() {
        List<PlanStep> steps = List.of(
                step("evidence1", "Out", "a"),
                step("evidence2", "Out", "b"),
                step("evidence3", "Echo", ":evidence1: | :evidence2:"));
        outputs.put("evidence1", "see :evidence2: for more");
        outputs.put("evidence2", "SECRET");
        assertThat(inputOfLastStep(steps)).isEqualTo("see :evidence2: for more | SECRET");
    }

    @Test
    void referencesAreCaseInsensitive() {
        List<PlanStep> steps = List.of(
                step("evidence1", "Out", "x"),
                step("evidence2", "Echo", ":Evidence1: and :EVIDENCE1:"));
        outputs.put("evidence1", "one");
        assertThat(steps.get(1).dependsOn()).containsExactly("evidence1");
        assertThat(inputOfLastStep(steps)).isEqualTo("one and one");
    }

    @Test
    void hashFormReferencesAreSubstitutedAsWholeTokens() {
        List<PlanStep> steps = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            PlanStep s = step("e" + i, "Out", "x");
            outputs.put("e" + i, "E" + i + "-out");
            steps.add(new PlanStep(s.id(), "#E" + i, s.tool(), s.input(), s.dependsOn(), "", s.line()));
        }
        PlanStep last = step("e13", "Echo", "#E1, #E12 and #e1");
        steps.add(new PlanStep(last.id(), "#E13", last.tool(), last.input(), last.dependsOn(), "", last.line()));
        assertThat(inputOfLastStep(steps)).isEqualTo("E1-out, E12-out and E1-out");
    }

    @Test
    void textThatIsNotAStepReferenceIsLeftAlone() {
        List<PlanStep> steps = List.of(
                step("evidence1", "Out", "x"),
                step("evidence2", "Echo", "ratio 3:2 :) :evidence1: :evidence99x"));
        outputs.put("evidence1", "one");
        assertThat(inputOfLastStep(steps)).isEqualTo("ratio 3:2 :) one :evidence99x");
    }
}
