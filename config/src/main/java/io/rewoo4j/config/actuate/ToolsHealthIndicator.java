package io.rewoo4j.config.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rewoo4j.core.resilience.ToolResilience;
import io.rewoo4j.core.tool.ToolRegistry;

/**
 * Health of the tools ({@code tools}): always {@code UP}, since a failing tool fails only the steps that call it
 * (and a restart would not mend a remote site). Details: {@code count}, {@code names} (in registration order) and
 * {@code openCircuitBreakers}, the tools whose circuit breaker is not closed, with its state ({@code OPEN},
 * {@code HALF_OPEN}, {@code FORCED_OPEN}); steps calling an open one fail at once with {@code CIRCUIT_OPEN}.
 */
public class ToolsHealthIndicator implements HealthIndicator {

    private static final List<CircuitBreaker.State> NOT_CLOSED = List.of(CircuitBreaker.State.OPEN,
            CircuitBreaker.State.HALF_OPEN, CircuitBreaker.State.FORCED_OPEN);

    private final ToolRegistry tools;
    private final ToolResilience resilience;

    /**
     * @param tools      the registered tools
     * @param resilience the executor's circuit breakers; {@code null} to report none
     */
    public ToolsHealthIndicator(ToolRegistry tools, ToolResilience resilience) {
        this.tools = tools;
        this.resilience = resilience;
    }

    @Override
    public Health health() {
        Map<String, String> open = new LinkedHashMap<>();
        if (resilience != null) {
            resilience.circuitBreakerStates().forEach((tool, state) -> {
                if (NOT_CLOSED.contains(state)) {
                    open.put(tool, state.name());
                }
            });
        }
        return Health.up()
                .withDetail("count", tools.size())
                .withDetail("names", List.copyOf(tools.names()))
                .withDetail("openCircuitBreakers", open)
                .build();
    }
}
