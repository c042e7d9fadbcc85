package io.rewoo4j.core.function;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.rewoo4j.core.tool.ToolRegistry;

/**
 * The functions a model may call, immutable. Lookup is by exact name first, then ignoring case (a model writing
 * {@code File_Analytics} finds {@code file_analytics}), so names must be unique ignoring case.
 */
public final class FunctionRegistry {

    private final List<AgentFunction> functions;
    private final Map<String, AgentFunction> byName = new HashMap<>();
    private final Map<String, AgentFunction> byLowerCaseName = new HashMap<>();

    private FunctionRegistry(List<? extends AgentFunction> functions) {
        this.functions = List.copyOf(functions);
        for (AgentFunction function : this.functions) {
            String name = function.name();
            AgentFunction clash = byLowerCaseName.putIfAbsent(name.toLowerCase(Locale.ROOT), function);
            if (clash != null) {
                throw new IllegalArgumentException(
                        "function names must be unique ignoring case: '" + clash.name() + "' and '" + name + "'");
            }
            byName.put(name, function);
        }
    }

    public static FunctionRegistry of(AgentFunction... functions) {
        return new FunctionRegistry(Arrays.asList(functions));
    }

    public static FunctionRegistry of(Collection<? extends AgentFunction> functions) {
        return new FunctionRegistry(List.copyOf(functions));
    }

    /** Every tool of {@code tools} as a {@link ToolFunction}, in registration order. */
    public static FunctionRegistry ofTools(ToolRegistry tools) {
        return new FunctionRegistry(tools.tools().stream().map(ToolFunction::of).toList());
    }

    /** The function called {@code name}: exact match first, then ignoring case. */
    public Optional<AgentFunction> find(String name) {
        AgentFunction function = byName.get(name);
        if (function == null) {
            function = byLowerCaseName.get(name.toLowerCase(Locale.ROOT));
        }
        return Optional.ofNullable(function);
    }

    /** Every function, in registration order. */
    public List<AgentFunction> functions() {
        return functions;
    }

    /** Every function's name, in registration order. */
    public List<String> names() {
        return functions.stream().map(AgentFunction::name).toList();
    }

    /** Every function's spec, in registration order (what the prompt lists). */
    public List<FunctionSpec> specs() {
        return functions.stream().map(AgentFunction::spec).toList();
    }

    public int size() {
        return functions.size();
    }

    public boolean isEmpty() {
        return functions.isEmpty();
    }
}
