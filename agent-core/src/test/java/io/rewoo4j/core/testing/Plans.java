package io.rewoo4j.core.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

import io.rewoo4j.planner.EvidenceReferences;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanStep;

/** Builds plan steps and graphs by hand, the way the parser would, for tests that do not go through plan text. */
public final class Plans {

    private static int line = 1;

    private Plans() {
    }

    /** A step {@code :id: = tool[input]} whose dependencies are the references in its input. */
    public static PlanStep step(String id, String tool, String input) {
        LinkedHashSet<String> deps = new LinkedHashSet<>();
        EvidenceReferences.scan(input).forEach(r -> deps.add(r.id()));
        return new PlanStep(id, ":" + id + ":", tool, input, new ArrayList<>(deps), "", line++);
    }

    /** A graph of the steps whose answer is the last step's variable. */
    public static PlanGraph graph(PlanStep... steps) {
        PlanStep last = steps[steps.length - 1];
        return new PlanGraph(Arrays.asList(steps), last.variable(), List.of(last.id()));
    }

    /** A graph with the given answer line. */
    public static PlanGraph graph(String answer, PlanStep... steps) {
        LinkedHashSet<String> deps = new LinkedHashSet<>();
        EvidenceReferences.scan(answer).forEach(r -> deps.add(r.id()));
        return new PlanGraph(Arrays.asList(steps), answer, new ArrayList<>(deps));
    }
}
