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
 * @param stepId   the id of the plan step being run ({@code evidence2}); {@link #DIRECT} outside a plan
 * @param input    the step's input with every evidence reference already replaced by that evidence's text
 * @param evidence the evidence of the steps this input referenced, by step id, in order of first reference; a tool
 *                 such as a knowledge model uses it to cite {@link Evidence#sources() sources}
 */
public record ToolRequest(String stepId, String input, Map<String, Evidence> evidence) {

    /** The step id of a call made outside a plan ({@code rewoo tool run}, function dispatch). */
    public static final String DIRECT = "direct";

    public ToolRequest {
        Objects.requireNonNull(stepId, "stepId");
        Objects.requireNonNull(input, "input");
        evidence = evidence.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
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
