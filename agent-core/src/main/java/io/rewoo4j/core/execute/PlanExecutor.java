package io.rewoo4j.core.execute;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolResilience;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanEvent;
import io.rewoo4j.planner.PlanGraph;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs plans as dependency graphs: every step starts the moment its last dependency has succeeded, independent steps
 * run at the same time, and the plan may still be streaming in while the first tools run.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Streaming.</b> {@link #execute(String, Publisher)} consumes the parser's events as they come: a
 *       {@link PlanEvent.StepParsed} whose dependencies have succeeded launches at once. The execution is complete when
 *       the {@link PlanEvent.Completed} event has arrived and every step has a final status.</li>
 *   <li><b>Limits.</b> At most {@code maxConcurrency} tool calls run at once across all runs of this executor, and at
 *       most each tool's {@link io.rewoo4j.core.resilience.ToolPolicy#maxConcurrency()}. Ready steps over a limit
 *       wait in FIFO order; they are never rejected.</li>
 *   <li><b>Resilience.</b> Each call is guarded by the tool's policy (timeout per attempt, retry with backoff,
 *       circuit breaker, bulkhead); see {@link ToolResilience}.</li>
 *   <li><b>Failure.</b> A step that fails (error, timeout, open breaker, unknown tool) never stops the others: the
 *       steps that depend on it, transitively, are skipped with a reason naming it, and everything else runs. The
 *       result keeps every step's evidence or error.</li>
 *   <li><b>Plan errors.</b> If the plan stream fails (a {@link io.rewoo4j.planner.PlanParseException} or a model
 *       error) the run ends at once with status {@code FAILED} and the error (with its plan line): calls in flight are
 *       cancelled and marked failed, steps not started are skipped, and evidence already gathered is kept. Cancelling
 *       is deliberate: a rejected plan's remaining calls would only spend the tools' quota.</li>
 *   <li><b>Deadline.</b> After {@code runTimeout} the run ends the same way with status {@code TIMED_OUT}.</li>
 *   <li><b>Cancellation.</b> Cancelling the subscription to the events cancels the plan stream and every call in
 *       flight, and frees their permits; nothing more is emitted.</li>
 * </ul>
 * The event stream always ends with one {@link RunEvent.ExecutionFinished} and completes; it errors only on a defect in
 * the executor itself. Nothing here blocks: state changes are serialised by a lock-free queue per run, and tools are
 * subscribed on whichever thread made them ready.
 *
 * <p>Instances are immutable, thread-safe, and meant to be shared: the concurrency limits and circuit breakers hold
 * across all runs of one executor.
 */
public final class PlanExecutor {

    /** The default limit of tool calls in flight at once, across all runs. */
    public static final int DEFAULT_MAX_CONCURRENCY = 64;
    /** The default run deadline. */
    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofMinutes(10);

    private final ToolRegistry tools;
    private final ToolResilience resilience;
    private final ConcurrencyLimiter limiter;
    private final Duration runTimeout;
    private final Scheduler timer;
    private final Supplier<String> runIds;

    private PlanExecutor(Builder b) {
        this.tools = b.tools;
        this.resilience = b.resilience != null ? b.resilience : new ToolResilience(b.policies);
        this.limiter = new ConcurrencyLimiter(b.maxConcurrency,
                tool -> resilience.policyFor(tool).maxConcurrency());
        this.runTimeout = b.runTimeout;
        this.timer = b.timer;
        this.runIds = b.runIds;
    }

    public static Builder builder(ToolRegistry tools) {
        return new Builder(tools);
    }

    /** Executes a streamed plan under a fresh run id; see the class description. */
    public Flux<RunEvent> execute(Publisher<PlanEvent> plan) {
        return Flux.defer(() -> execute(runIds.get(), plan));
    }

    /**
     * Executes a streamed plan: subscribes to {@code plan} when the returned flux is subscribed, and emits the run's
     * events, ending with {@link RunEvent.ExecutionFinished}. Each subscription is a separate run.
     */
    public Flux<RunEvent> execute(String runId, Publisher<PlanEvent> plan) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(plan, "plan");
        return Flux.push(sink -> {
            // resolved per run so that a virtual-time scheduler installed by a test applies
            Scheduler s = timer != null ? timer : Schedulers.parallel();
            new PlanRun(runId, this, runTimeout, s, sink).start(plan);
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /** Executes a complete plan under a fresh run id. */
    public Flux<RunEvent> execute(PlanGraph plan) {
        return execute(asEvents(plan));
    }

    /** Executes a complete plan. */
    public Flux<RunEvent> execute(String runId, PlanGraph plan) {
        return execute(runId, asEvents(plan));
    }

    /** Executes a complete plan and emits only its result. */
    public Mono<ExecutionResult> run(PlanGraph plan) {
        return execute(plan).ofType(RunEvent.ExecutionFinished.class).last().map(RunEvent.ExecutionFinished::result);
    }

    /** A complete plan as the events a streaming parse of it would produce. */
    public static Flux<PlanEvent> asEvents(PlanGraph plan) {
        return Flux.fromIterable(plan.steps()).<PlanEvent>map(PlanEvent.StepParsed::new)
                .concatWith(Mono.just(new PlanEvent.Completed(plan)));
    }

    public ToolRegistry tools() {
        return tools;
    }

    public ToolResilience resilience() {
        return resilience;
    }

    ConcurrencyLimiter limiter() {
        return limiter;
    }

    /** Tool calls in flight now, across all runs. */
    public int callsInFlight() {
        return limiter.inUse();
    }

    public int maxConcurrency() {
        return limiter.globalLimit();
    }

    public Duration runTimeout() {
        return runTimeout;
    }

    /** Builds a {@link PlanExecutor}. */
    public static final class Builder {
        private final ToolRegistry tools;
        private ToolPolicies policies = ToolPolicies.defaults();
        private ToolResilience resilience;
        private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
        private Duration runTimeout = DEFAULT_RUN_TIMEOUT;
        private Scheduler timer;
        private Supplier<String> runIds = () -> UUID.randomUUID().toString();

        private Builder(ToolRegistry tools) {
            this.tools = Objects.requireNonNull(tools, "tools");
        }

        /** The per-tool policies (ignored if {@link #resilience(ToolResilience)} is set). */
        public Builder policies(ToolPolicies policies) {
            this.policies = Objects.requireNonNull(policies, "policies");
            return this;
        }

        /** A shared {@link ToolResilience}, so other callers of the tools share its breakers and bulkheads. */
        public Builder resilience(ToolResilience resilience) {
            this.resilience = Objects.requireNonNull(resilience, "resilience");
            return this;
        }

        /** The most tool calls in flight at once, across all runs. */
        public Builder maxConcurrency(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrency must be positive: " + max);
            }
            this.maxConcurrency = max;
            return this;
        }

        /** How long a run may take from subscription to its last step; {@code null} for no deadline. */
        public Builder runTimeout(Duration timeout) {
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("runTimeout must be positive: " + timeout);
            }
            this.runTimeout = timeout;
            return this;
        }

        /** The scheduler for deadlines and timestamps; by default Reactor's parallel scheduler, looked up per run. */
        public Builder timer(Scheduler timer) {
            this.timer = timer;
            return this;
        }

        /** Where run ids come from (by default random UUIDs). */
        public Builder runIds(Supplier<String> runIds) {
            this.runIds = Objects.requireNonNull(runIds, "runIds");
            return this;
        }

        public PlanExecutor build() {
            return new PlanExecutor(this);
        }
    }
}
