package io.rewoo4j.core.tool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;

/**
 * One call of a tool.
 *
 * @param runId    the run the call belongs to; {@link #DIRECT} outside a run. Tools may key per-run state on it (a
 *                 page cache) and must let it go when the run is over
 * @param stepId   the id of the plan step being run ({@code evidence2}); {@link #DIRECT} outside a plan
 * @param input    the step's input with every evidence reference already replaced by that evidence's text
 * @param evidence the evidence of the steps this input referenced, by step id, in order of first reference; a tool
 *                 such as a knowledge model uses it to cite {@link Evidence#sources() sources}
 * @param template the input as the plan wrote it, references not substituted; a tool that presents evidence in its
 *                 own way (a knowledge model putting each source in a context block) reads this instead of
 *                 {@link #input()}
 */
public record ToolRequest(String runId, String stepId, String input, Map<String, Evidence> evidence, String template) {

    /** The run and step id of a call made outside a plan ({@code rewoo tool run}, function dispatch). */
    public static final String DIRECT = "direct";

    public ToolRequest {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(stepId, "stepId");
        Objects.requireNonNull(input, "input");
        evidence = evidence.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
        template = template == null ? input : template;
    }

    /** A request outside a run whose input has no references to substitute. */
    public ToolRequest(String stepId, String input, Map<String, Evidence> evidence) {
        this(DIRECT, stepId, input, evidence, input);
    }

    /** A call outside a plan, with no evidence. */
    public static ToolRequest of(String input) {
        return new ToolRequest(DIRECT, input, Map.of());
    }

    /** The sources of all dependency evidence, in order, each URL once. */
    public List<Source> dependencySources() {
        List<Source> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Evidence e : evidence.values()) {
            for (Source s : e.sources()) {
                if (seen.add(s.url())) {
                    out.add(s);
                }
            }
        }
        return List.copyOf(out);
    }
}
