package io.rewoo4j.core.resilience;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A default {@link ToolPolicy} and per-tool overrides. Tool names are matched ignoring case, as configuration keys
 * usually are ({@code rewoo.tools.duckduckgo.*} configures {@code DuckDuckGo}).
 *
 * @param defaultPolicy the policy of every tool without an override
 * @param overrides     whole policies replacing the default, by tool name (build them from the default with its
 *                  {@code with*} methods)
 */
public record ToolPolicies(ToolPolicy defaultPolicy, Map<String, ToolPolicy> overrides) {

    public ToolPolicies {
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        Map<String, ToolPolicy> normalised = new HashMap<>();
        overrides.forEach((name, policy) -> normalised.put(name.toLowerCase(Locale.ROOT), Objects.requireNonNull(policy)));
        overrides = Map.copyOf(normalised);
    }

    /** {@link ToolPolicy#defaults()} for every tool. */
    public static ToolPolicies defaults() {
        return new ToolPolicies(ToolPolicy.defaults(), Map.of());
    }

    /** The given policy for every tool. */
    public static ToolPolicies of(ToolPolicy defaultPolicy) {
        return new ToolPolicies(defaultPolicy, Map.of());
    }

    /** These policies with {@code policy} for {@code tool}. */
    public ToolPolicies with(String tool, ToolPolicy policy) {
        Map<String, ToolPolicy> more = new HashMap<>(overrides);
        more.put(tool.toLowerCase(Locale.ROOT), policy);
        return new ToolPolicies(defaultPolicy, more);
    }

    /** The policy of the named tool. */
    public ToolPolicy policyFor(String tool) {
        ToolPolicy p = overrides.get(tool.toLowerCase(Locale.ROOT));
        return p == null ? defaultPolicy : p;
    }
}
