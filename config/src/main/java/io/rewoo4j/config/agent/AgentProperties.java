package io.rewoo4j.config.agent;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.rewoo4j.core.resilience.CircuitBreakerPolicy;
import io.rewoo4j.core.resilience.RetryPolicy;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;

/**
 * The agent and its executor ({@code rewoo.agent.*}).
 *
 * @param maxConcurrency the most tool calls in flight at once, across all runs
 * @param runTimeout     the deadline of one run's execution; past it, calls in flight are cancelled and the run
 *                       returns what it gathered
 * @param solver         whether plans whose answer is free text (or missing) are answered by the ReWOO solver
 * @param solverTimeout  how long the solver may take
 * @param maxSteps       the most steps a plan may have
 * @param maxLineLength  the longest plan line (or multi-line step input) accepted, in characters
 * @param planMaxTokens  the most tokens the model may write for a plan
 * @param runsKept       how many finished runs the in-memory run store keeps (oldest dropped first)
 * @param functionTimeout the longest a dispatched function call may take
 * @param toolPolicy     timeouts, retries, circuit breaker and limits for every tool
 * @param tools          per-tool overrides of {@code tool-policy}, by tool name (e.g.
 *                       {@code rewoo.agent.tools.DuckDuckGo.timeout=20s}); unset fields keep the default
 */
@ConfigurationProperties("rewoo.agent")
public record AgentProperties(@DefaultValue("64") int maxConcurrency, @DefaultValue("10m") Duration runTimeout,
                              @DefaultValue("true") boolean solver, @DefaultValue("2m") Duration solverTimeout,
                              @DefaultValue("100") int maxSteps, @DefaultValue("65536") int maxLineLength,
                              @DefaultValue("1024") int planMaxTokens, @DefaultValue("100") int runsKept,
                              @DefaultValue("30s") Duration functionTimeout,
                              @DefaultValue Policy toolPolicy, Map<String, Policy> tools) {

    public AgentProperties {
        tools = tools == null ? Map.of() : Map.copyOf(tools);
    }

    /**
     * A tool policy; an unset field keeps the built-in default (or, in a per-tool override, the
     * {@code tool-policy} value).
     *
     * @param timeout                   the longest one attempt may take
     * @param maxAttempts               attempts in all, the first included (1 = no retry)
     * @param initialBackoff            the wait before the second attempt, doubled after each
     * @param maxBackoff                the longest wait between attempts
     * @param circuitBreaker            whether a failing tool is stopped being called for a while
     * @param failureRateThreshold      the failure percentage that opens the circuit breaker
     * @param waitInOpenState           how long an open circuit breaker refuses calls
     * @param maxConcurrency            the most calls of the tool at once (more wait in a queue)
     * @param bulkhead                  a hard cap on concurrent calls from any caller (0 for none)
     */
    public record Policy(Duration timeout, Integer maxAttempts, Duration initialBackoff, Duration maxBackoff,
                         Boolean circuitBreaker, Float failureRateThreshold, Duration waitInOpenState,
                         Integer maxConcurrency, Integer bulkhead) {

        ToolPolicy applyTo(ToolPolicy base) {
            ToolPolicy p = base;
            if (timeout != null) {
                p = p.withTimeout(timeout);
            }
            RetryPolicy r = p.retry();
            if (maxAttempts != null || initialBackoff != null || maxBackoff != null) {
                Duration initial = initialBackoff != null ? initialBackoff : r.initialBackoff();
                Duration max = maxBackoff != null ? maxBackoff : r.maxBackoff();
                p = p.withRetry(new RetryPolicy(maxAttempts != null ? maxAttempts : r.maxAttempts(), initial,
                        Math.max(1, r.multiplier()), max.compareTo(initial) < 0 ? initial : max));
            }
            CircuitBreakerPolicy cb = p.circuitBreaker();
            if (circuitBreaker != null || failureRateThreshold != null || waitInOpenState != null) {
                p = p.withCircuitBreaker(new CircuitBreakerPolicy(
                        circuitBreaker != null ? circuitBreaker : cb.enabled(),
                        failureRateThreshold != null ? failureRateThreshold : cb.failureRateThreshold(),
                        cb.slidingWindowSize(), cb.minimumNumberOfCalls(),
                        waitInOpenState != null ? waitInOpenState : cb.waitInOpenState(),
                        cb.permittedCallsInHalfOpenState()));
            }
            if (bulkhead != null) {
                p = p.withBulkhead(bulkhead);
            }
            if (maxConcurrency != null) {
                p = p.withMaxConcurrency(maxConcurrency);
            }
            return p;
        }
    }

    /** The policies these properties describe: built-in defaults, then {@code tool-policy}, then per-tool overrides. */
    public ToolPolicies toolPolicies() {
        ToolPolicy base = toolPolicy.applyTo(ToolPolicy.defaults());
        ToolPolicies policies = ToolPolicies.of(base);
        for (Map.Entry<String, Policy> e : tools.entrySet()) {
            policies = policies.with(e.getKey(), e.getValue().applyTo(base));
        }
        return policies;
    }
}
