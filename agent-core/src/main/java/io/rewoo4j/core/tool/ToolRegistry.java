package io.rewoo4j.core.tool;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.rewoo4j.planner.prompt.ToolDescription;

/**
 * The tools a plan may call, immutable. Lookup is by exact name first, then ignoring case, matching how the plan
 * parser accepts a model's spelling ({@code duckduckgo} finds {@code DuckDuckGo}). Names must therefore be unique
 * ignoring case.
 */
public final class ToolRegistry {

    private final List<Tool> tools;
    private final Map<String, Tool> byName;
    private final Map<String, Tool> byLowerCaseName;

    private ToolRegistry(List<Tool> tools) {
        this.tools = List.copyOf(tools);
        this.byName = new HashMap<>();
        this.byLowerCaseName = new HashMap<>();
        for (Tool tool : this.tools) {
            String lower = tool.name().toLowerCase(Locale.ROOT);
            Tool clash = byLowerCaseName.putIfAbsent(lower, tool);
            if (clash != null) {
                throw new IllegalArgumentException(
                        "tool names must be unique ignoring case: '" + clash.name() + "' and '" + tool.name() + "'");
            }
            byName.put(tool.name(), tool);
        }
    }

    public static ToolRegistry of(Tool... tools) {
        return new ToolRegistry(Arrays.asList(tools));
    }

    public static ToolRegistry of(Collection<? extends Tool> tools) {
        return new ToolRegistry(List.copyOf(tools));
    }

    /** The tool called {@code name}: exact match first, then ignoring case. */
    public Optional<Tool> find(String name) {
        Tool tool = byName.get(name);
        if (tool == null) {
            tool = byLowerCaseName.get(name.toLowerCase(Locale.ROOT));
        }
        return Optional.ofNullable(tool);
    }

    /** Every tool, in registration order. */
    public List<Tool> tools() {
        return tools;
    }

    /** Every tool's name, in registration order (what the plan parser validates against). */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Tool tool : tools) {
            names.add(tool.name());
        }
        return names;
    }

    /** The tools as the planner prompt lists them, in registration order. */
    public List<ToolDescription> descriptions() {
        return tools.stream().map(Tool::toDescription).toList();
    }

    public int size() {
        return tools.size();
    }
}
