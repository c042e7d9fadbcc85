package io.rewoo4j.core.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.event.RunListener;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.execute.RunClock;
import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.core.run.AnswerSource;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.InMemoryRunStore;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.RunStore;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanEvent;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.PlanParserOptions;
import io.rewoo4j.planner.prompt.PlannerPrompt;
import io.rewoo4j.planner.prompt.PromptFormat;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Answers questions the ReWOO way: the model writes the whole tool plan in one completion, the plan is parsed and
 * executed <em>while it streams</em> (each tool call starts as soon as its line is complete and its evidence exists),
 * and the answer is taken from the plan's {@code Answer:} line:
 * <ul>
 *   <li>a single reference ({@code Answer: :evidence5:}): that step's output;</li>
 *   <li>text with references: the text with each reference replaced by that step's output;</li>
 *   <li>text without references (or none at all): the solver's answer, written by the model from the question and
 *       every step's evidence; without a solver, the text as written.</li>
 * </ul>
 * Every run is saved to the {@link RunStore} when it starts and when it ends (also when its subscriber goes away).
 *
 * <p>A run that fails (bad plan, model error, failed steps, deadline) is not an error signal: it ends normally with a
 * {@link RunResult} whose status and error say what went wrong, and whose steps keep all evidence gathered. Error
 * signals mean a defect. Instances are thread-safe; no method blocks.
 *
 * <p>{@link RunListener}s given to the builder see every event of every run; see their contract.
 */
public final class RewooAgent {

    private static final Logger log = LoggerFactory.getLogger(RewooAgent.class);

    private final LanguageModel model;
    private final PromptFormat format;
    private final PlanExecutor executor;
    private final ToolRegistry tools;
    private final PlanParser parser;
    private final RunStore store;
    private final GenerationOptions plannerOptions;
    private final Solver solver;
    private final Scheduler clockScheduler;
    private final Supplier<String> runIds;
    private final List<RunListener> listeners;

    private RewooAgent(Builder b) {
        this.model = b.model;
        this.format = b.format;
        this.executor = b.executor;
        this.tools = b.executor.tools();
        this.parser = new PlanParser(new PlanParserOptions(tools.names(), b.maxSteps, b.maxLineLength));
        this.store = b.store;
        this.plannerOptions = b.plannerOptions;
        this.solver = b.solverEnabled ? new Solver(b.model, b.format, b.solverOptions, b.solverTimeout) : null;
        this.clockScheduler = b.clockScheduler;
        this.runIds = b.runIds;
        this.listeners = List.copyOf(b.listeners);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Plans, executes and answers; emits the finished run. */
    public Mono<RunResult> run(String question) {
        return lastResult(stream(question));
    }

    /**
     * Plans, executes and answers, emitting every {@link RunEvent} as it happens, starting with
     * {@link RunEvent.RunStarted} and ending with {@link RunEvent.RunFinished}.
     */
    public Flux<RunEvent> stream(String question) {
        Objects.requireNonNull(question, "question");
        return Flux.defer(() -> {
            // appended on the model's thread, read when the run ends or is cancelled (possibly on another thread)
            StringBuffer planText = new StringBuffer();
            Flux<String> chunks = Flux.defer(() -> {
                String prompt = PlannerPrompt.render(format, question, tools.descriptions());
                GenerationOptions options = plannerOptions.plusStopSequences(PlannerPrompt.stopSequences(format));
                return model.generate(new GenerationRequest(prompt, options));
            }).doOnNext(planText::append);
            return orchestrate(question, parser.parse(chunks), planText);
        });
    }

    /** Executes a given plan and answers from it; {@code question} may be {@code null} (then no solver is used). */
    public Mono<RunResult> execute(PlanGraph plan, String question) {
        return lastResult(stream(plan, question));
    }

    /** {@link #execute(PlanGraph, String)}, emitting every event. */
    public Flux<RunEvent> stream(PlanGraph plan, String question) {
        Objects.requireNonNull(plan, "plan");
        return Flux.defer(() -> orchestrate(question, PlanExecutor.asEvents(plan), null));
    }

    public ToolRegistry tools() {
        return tools;
    }

    public RunStore store() {
        return store;
    }

    public PlanExecutor executor() {
        return executor;
    }

    private static Mono<RunResult> lastResult(Flux<RunEvent> events) {
        return events.ofType(RunEvent.RunFinished.class).last().map(RunEvent.RunFinished::result);
    }

    private Flux<RunEvent> orchestrate(String question, Publisher<PlanEvent> plan, StringBuffer planText) {
        String runId = runIds.get();
        RunClock clock = RunClock.start(clockScheduler != null ? clockScheduler : Schedulers.parallel());
        Instant startedAt = clock.now();
        RunProgress progress = new RunProgress(runId, question, startedAt);
        RunNotifier notifier = new RunNotifier(runId, listeners);
        Flux<RunEvent> execution = executor.execute(runId, plan).concatMap(event ->
                event instanceof RunEvent.ExecutionFinished finished
                        ? Flux.<RunEvent>just(finished).concatWith(
                                answer(finished.result(), question, text(planText), startedAt, clock))
                        : Flux.just(event));
        return Flux.concat(
                        Mono.just(new RunEvent.RunStarted(runId, startedAt, question)),
                        store.save(progress.snapshot(RunStatus.RUNNING, null, null, null)).then(Mono.<RunEvent>empty()),
                        execution)
                .doOnNext(event -> {
                    progress.accept(event);
                    notifier.accept(event);
                })
                .doOnCancel(() -> {
                    // a subscriber that stops at RunFinished (next(), take()) cancels a run that has ended
                    if (!progress.finished()) {
                        RunResult cancelled = progress.snapshot(RunStatus.CANCELLED,
                                RunError.of(RunError.CANCELLED, "the run was cancelled"), text(planText), clock.now());
                        saveDetached(cancelled);
                        notifier.finish(cancelled);
                    }
                })
                .doOnError(e -> {
                    RunResult failed = progress.snapshot(RunStatus.FAILED,
                            RunError.of(RunError.INTERNAL, e.toString()), text(planText), clock.now());
                    saveDetached(failed);
                    notifier.finish(failed);
                });
    }

    private Flux<RunEvent> answer(ExecutionResult execution, String question, String planText, Instant startedAt,
                                  RunClock clock) {
        return outcome(execution, question).flatMapMany(outcome -> {
            Instant finishedAt = clock.now();
            RunStatus status = execution.status() == RunStatus.SUCCEEDED && outcome.answer() == null
                    ? RunStatus.FAILED : execution.status();
            RunResult result = new RunResult(execution.runId(), question, status, outcome.answer(), outcome.source(),
                    execution.plan(), planText, execution.steps(), outcome.error(), startedAt, finishedAt,
                    Duration.between(startedAt, finishedAt));
            Flux<RunEvent> answered = outcome.answer() == null ? Flux.empty()
                    : Flux.just(new RunEvent.AnswerProduced(execution.runId(), finishedAt, outcome.answer(),
                            outcome.source()));
            return store.save(result).thenMany(
                    answered.concatWith(Mono.just(new RunEvent.RunFinished(execution.runId(), finishedAt, result))));
        });
    }

    private Mono<Outcome> outcome(ExecutionResult execution, String question) {
        PlanGraph plan = execution.plan();
        if (plan == null) {
            return Mono.just(new Outcome(null, null, execution.error()));
        }
        Map<String, String> outputs = execution.outputsById();
        boolean solverAvailable = solver != null && question != null && !question.isBlank()
                && execution.status() != RunStatus.TIMED_OUT;
        AnswerDecision decision = AnswerDecision.decide(plan, outputs, solverAvailable);
        if (decision instanceof AnswerDecision.Resolved r) {
            return Mono.just(new Outcome(r.answer(), r.source(), execution.error()));
        }
        if (decision instanceof AnswerDecision.Unresolved u) {
            return Mono.just(new Outcome(null, null, execution.error() != null ? execution.error()
                    : RunError.of(RunError.NO_ANSWER, u.reason())));
        }
        return solver.solve(question, plan, outputs)
                .map(answer -> new Outcome(answer, AnswerSource.SOLVER, execution.error()))
                // a failed solver is the run's outcome, not a defect: record it in the result
                .onErrorResume(e -> Mono.just(new Outcome(null, null, execution.error() != null ? execution.error()
                        : RunError.of(RunError.SOLVER_FAILED, "the solver failed: " + e))));
    }

    private void saveDetached(RunResult result) {
        // the subscriber is gone, so nothing can wait for this save; a failure is logged rather than lost
        store.save(result).subscribe(null,
                e -> log.warn("could not store the final state of run {}", result.runId(), e));
    }

    private static String text(StringBuffer planText) {
        return planText == null ? null : planText.toString();
    }

    private record Outcome(String answer, AnswerSource source, RunError error) {
    }

    /**
     * Delivers one run's events to the listeners, and makes sure they see the run end exactly once: a run cut short
     * (cancelled, or failed with a defect) emits no {@link RunEvent.RunFinished}, so one is made for them.
     */
    private static final class RunNotifier {
        private final String runId;
        private final List<RunListener> listeners;
        private volatile boolean started;
        // a cancellation may race the real RunFinished on another thread: whichever comes first is delivered
        private final AtomicBoolean finished = new AtomicBoolean();

        RunNotifier(String runId, List<RunListener> listeners) {
            this.runId = runId;
            this.listeners = listeners;
        }

        void accept(RunEvent event) {
            if (listeners.isEmpty() || finished.get()) {
                return; // after a cancellation's RunFinished, events still in flight are not the listeners' concern
            }
            if (event instanceof RunEvent.RunStarted) {
                started = true;
            } else if (event instanceof RunEvent.RunFinished && !finished.compareAndSet(false, true)) {
                return;
            }
            deliver(event);
        }

        /** Ends the run for the listeners, unless they saw it end already (or never saw it start). */
        void finish(RunResult result) {
            if (!listeners.isEmpty() && started && finished.compareAndSet(false, true)) {
                deliver(new RunEvent.RunFinished(runId, result.finishedAt(), result));
            }
        }

        private void deliver(RunEvent event) {
            for (RunListener listener : listeners) {
                try {
                    listener.onEvent(event);
                } catch (Throwable e) {
                    Exceptions.throwIfJvmFatal(e);
                    // a broken listener must not break the run it observes, nor hide it from the other listeners
                    log.warn("run listener {} failed on {} of run {}", listener,
                            event.getClass().getSimpleName(), runId, e);
                }
            }
        }
    }

    /** Builds a {@link RewooAgent}. A model, a prompt format, and tools (or an executor) are required. */
    public static final class Builder {
        private LanguageModel model;
        private PromptFormat format;
        private ToolRegistry tools;
        private PlanExecutor executor;
        private RunStore store;
        private GenerationOptions plannerOptions = GenerationOptions.defaults();
        private GenerationOptions solverOptions = GenerationOptions.defaults().withMaxTokens(512);
        private boolean solverEnabled = true;
        private Duration solverTimeout = Duration.ofMinutes(2);
        private int maxSteps = PlanParserOptions.DEFAULT_MAX_STEPS;
        private int maxLineLength = PlanParserOptions.DEFAULT_MAX_LINE_LENGTH;
        private Scheduler clockScheduler;
        private Supplier<String> runIds = () -> UUID.randomUUID().toString();
        private final List<RunListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The model that writes plans (and solves). */
        public Builder model(LanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The prompt format the model was trained on. */
        public Builder promptFormat(PromptFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /** The tools plans may call, run by a default {@link PlanExecutor}. */
        public Builder tools(ToolRegistry tools) {
            this.tools = Objects.requireNonNull(tools, "tools");
            return this;
        }

        /** The executor (and with it the tools) to run plans with. */
        public Builder executor(PlanExecutor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Where runs are kept; by default an {@link InMemoryRunStore} of {@value InMemoryRunStore#DEFAULT_CAPACITY}. */
        public Builder store(RunStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Sampling for the plan; the prompt format's planner stop sequences are always added. */
        public Builder plannerOptions(GenerationOptions options) {
            this.plannerOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Sampling for the solver; the prompt format's stop sequences are always added. */
        public Builder solverOptions(GenerationOptions options) {
            this.solverOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Whether plans whose answer is free text (or missing) are answered by the solver. Default true. */
        public Builder solver(boolean enabled) {
            this.solverEnabled = enabled;
            return this;
        }

        /** How long the solver may take. Default 2 minutes. */
        public Builder solverTimeout(Duration timeout) {
            this.solverTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The parser's limits on plan size. */
        public Builder planLimits(int maxSteps, int maxLineLength) {
            this.maxSteps = maxSteps;
            this.maxLineLength = maxLineLength;
            return this;
        }

        /** The scheduler whose clock stamps the agent's events; by default Reactor's parallel scheduler. */
        public Builder clock(Scheduler scheduler) {
            this.clockScheduler = scheduler;
            return this;
        }

        /** Where run ids come from (by default random UUIDs). */
        public Builder runIds(Supplier<String> runIds) {
            this.runIds = Objects.requireNonNull(runIds, "runIds");
            return this;
        }

        /** Adds a listener that sees every event of every run; see {@link RunListener}. Called in the order added. */
        public Builder listener(RunListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Adds each of the listeners, in order; see {@link #listener(RunListener)}. */
        public Builder listeners(Collection<? extends RunListener> listeners) {
            listeners.forEach(this::listener);
            return this;
        }

        public RewooAgent build() {
            Objects.requireNonNull(model, "a model is required");
            Objects.requireNonNull(format, "a prompt format is required");
            if (executor == null) {
                Objects.requireNonNull(tools, "tools or an executor are required");
                executor = PlanExecutor.builder(tools).build();
            } else if (tools != null && tools != executor.tools()) {
                throw new IllegalArgumentException("set tools or an executor, not both");
            }
            if (store == null) {
                store = new InMemoryRunStore();
            }
            return new RewooAgent(this);
        }
    }
}
