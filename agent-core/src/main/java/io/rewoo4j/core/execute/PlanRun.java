package io.rewoo4j.core.execute;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunError;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.run.StepResult;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.planner.EvidenceReferences;
import io.rewoo4j.planner.PlanEvent;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParseException;
import io.rewoo4j.planner.PlanStep;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * The state machine of one run. Every input (plan events, permits, tool outcomes, the deadline, cancellation) is a
 * {@link RunSignal} put on a lock-free queue; whichever thread finds the queue idle drains it, so state changes are
 * serialised without a lock, never block, and never recurse: a tool that completes synchronously inside a launch only
 * enqueues its outcome.
 *
 * <p>Bookkeeping is O(1) per step and dependency edge: each step counts its unfinished dependencies, and a finishing
 * step decrements the counters of its dependants, launching those that reach zero.
 */
final class PlanRun {

    private final String runId;
    private final PlanExecutor executor;
    private final Duration deadline;
    private final Scheduler timer;
    private final FluxSink<RunEvent> sink;
    private final RunClock clock;

    private final Queue<RunSignal> signals = Queues.<RunSignal>unboundedMultiproducer().get();
    private final AtomicInteger wip = new AtomicInteger();

    // Everything below is confined to the drain loop.
    private final Map<String, StepNode> nodes = new HashMap<>();
    private final List<StepNode> order = new ArrayList<>();
    private int unfinished;
    private int succeeded;
    private PlanGraph plan;
    private boolean planComplete;
    private boolean terminated;
    private Instant startedAt;
    private PlanSubscription planSubscription;
    private Disposable deadlineTask;

    PlanRun(String runId, PlanExecutor executor, Duration deadline, Scheduler timer, FluxSink<RunEvent> sink) {
        this.runId = runId;
        this.executor = executor;
        this.deadline = deadline;
        this.timer = timer;
        this.sink = sink;
        this.clock = RunClock.start(timer);
    }

    /** Subscribes to the plan; called once, from the subscription to the run's events. */
    void start(Publisher<PlanEvent> planEvents) {
        sink.onCancel(() -> signal(RunSignal.Cancelled.INSTANCE));
        signal(new RunSignal.Start(planEvents));
    }

    void signal(RunSignal signal) {
        signals.offer(signal);
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            RunSignal s;
            while ((s = signals.poll()) != null) {
                try {
                    handle(s);
                } catch (Throwable t) {
                    defect(t);
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void handle(RunSignal s) {
        if (s instanceof RunSignal.ToolSucceeded r) {
            onToolSucceeded(r.node(), r.evidence());
        } else if (s instanceof RunSignal.PermitGranted r) {
            onPermitGranted(r.node());
        } else if (s instanceof RunSignal.PlanEventArrived r) {
            onPlanEvent(r.event());
        } else if (s instanceof RunSignal.ToolFailed r) {
            onToolFailed(r.node(), r.error());
        } else if (s instanceof RunSignal.ToolCompletedEmpty r) {
            onToolCompletedEmpty(r.node());
        } else if (s instanceof RunSignal.PlanStreamCompleted) {
            onPlanStreamCompleted();
        } else if (s instanceof RunSignal.PlanStreamFailed r) {
            onPlanStreamFailed(r.error());
        } else if (s instanceof RunSignal.DeadlinePassed) {
            onDeadline();
        } else if (s instanceof RunSignal.Cancelled) {
            onCancelled();
        } else if (s instanceof RunSignal.Start r) {
            onStart(r.plan());
        }
    }

    // ---- plan --------------------------------------------------------------------------------------------------

    private void onStart(Publisher<PlanEvent> planEvents) {
        if (terminated) {
            return;
        }
        startedAt = clock.now();
        if (deadline != null) {
            deadlineTask = timer.schedule(() -> signal(RunSignal.DeadlinePassed.INSTANCE), deadline.toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        planSubscription = new PlanSubscription(this);
        // a synchronous plan source only enqueues here; its events are handled after this method returns
        Flux.from(planEvents).subscribe(planSubscription);
    }

    private void onPlanEvent(PlanEvent event) {
        if (terminated) {
            return;
        }
        if (planComplete) {
            abortPlan(new IllegalStateException("plan event after the plan was complete: " + event));
            return;
        }
        if (event instanceof PlanEvent.StepParsed parsed) {
            addStep(parsed.step());
        } else if (event instanceof PlanEvent.Completed completed) {
            for (PlanStep step : completed.graph().steps()) {
                if (terminated) {
                    return;
                }
                if (!nodes.containsKey(step.id())) {
                    addStep(step);
                }
            }
            if (terminated) {
                return;
            }
            plan = completed.graph();
            planComplete = true;
            emit(new RunEvent.PlanCompleted(runId, clock.now(), plan));
            finishIfDone();
        }
    }

    private void onPlanStreamCompleted() {
        if (!terminated && !planComplete) {
            abortPlan(new IllegalStateException("the plan stream ended without a Completed event"));
        }
    }

    private void onPlanStreamFailed(Throwable error) {
        if (!terminated) {
            abortPlan(error);
        }
    }

    private void addStep(PlanStep step) {
        if (nodes.containsKey(step.id())) {
            abortPlan(new IllegalArgumentException("step " + step.id() + " is defined twice"));
            return;
        }
        StepNode node = new StepNode(this, step);
        StepNode blocker = null;
        int pending = 0;
        for (String dependency : step.dependsOn()) {
            StepNode d = nodes.get(dependency);
            if (d == null) {
                abortPlan(new IllegalArgumentException(
                        "step " + step.id() + " depends on " + dependency + ", which no earlier step defines"));
                return;
            }
            switch (d.state) {
                case SUCCEEDED -> {
                }
                case FAILED, SKIPPED -> blocker = blocker == null ? d : blocker;
                default -> {
                    pending++;
                    d.addDependant(node);
                }
            }
        }
        nodes.put(step.id(), node);
        order.add(node);
        unfinished++;
        emit(new RunEvent.StepPlanned(runId, clock.now(), step));
        if (blocker != null) {
            skip(node, dependencyFailed(rootFailure(blocker)));
        } else if (pending == 0) {
            makeReady(node);
        } else {
            node.pendingDependencies = pending;
        }
    }

    // ---- steps -------------------------------------------------------------------------------------------------

    private void makeReady(StepNode node) {
        Tool tool = executor.tools().find(node.step.tool()).orElse(null);
        if (tool == null) {
            fail(node, StepError.of(StepError.Kind.UNKNOWN_TOOL, "unknown tool '" + node.step.tool() + "' (known: "
                    + String.join(", ", executor.tools().names()) + ")"));
            return;
        }
        node.tool = tool;
        node.state = StepNode.State.QUEUED;
        if (executor.limiter().tryAcquire(tool.name(), node)) {
            node.permitHeld = true;
            launch(node);
        }
    }

    private void onPermitGranted(StepNode node) {
        node.permitHeld = true;
        if (terminated || node.state != StepNode.State.QUEUED) {
            releasePermit(node);
            return;
        }
        launch(node);
    }

    private void launch(StepNode node) {
        PlanStep step = node.step;
        String input;
        Map<String, Evidence> evidence;
        if (step.dependsOn().isEmpty()) {
            input = step.input();
            evidence = Map.of();
        } else {
            input = EvidenceReferences.substitute(step.input(), this::outputOf);
            evidence = new LinkedHashMap<>();
            for (String dependency : step.dependsOn()) {
                evidence.put(dependency, nodes.get(dependency).evidence);
            }
        }
        node.state = StepNode.State.RUNNING;
        node.input = input;
        node.startedAt = clock.now();
        emit(new RunEvent.StepStarted(runId, node.startedAt, step.id(), node.tool.name(), input));
        ToolCall call = new ToolCall(node);
        node.call = call;
        try {
            executor.resilience().call(node.tool, new ToolRequest(runId, step.id(), input, evidence, step.input()),
                            node::countAttempt)
                    .subscribe(call);
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            // subscribe() threw before the call could signal: treat it as the call's failure
            onToolFailed(node, t);
        }
    }

    private String outputOf(String id) {
        StepNode d = nodes.get(id);
        return d != null && d.state == StepNode.State.SUCCEEDED ? d.evidence.text() : null;
    }

    private void onToolSucceeded(StepNode node, Evidence evidence) {
        if (terminated || node.state != StepNode.State.RUNNING) {
            return; // the run ended or cancelled this call, and released its permit already
        }
        markSucceeded(node, evidence);
        List<StepNode> dependants = node.dependants;
        node.dependants = null;
        if (dependants != null) {
            for (StepNode d : dependants) {
                if (d.state == StepNode.State.WAITING_FOR_DEPENDENCIES && --d.pendingDependencies == 0) {
                    makeReady(d);
                }
            }
        }
        finishIfDone();
    }

    private void markSucceeded(StepNode node, Evidence evidence) {
        node.state = StepNode.State.SUCCEEDED;
        node.evidence = evidence;
        node.finishedAt = clock.now();
        node.call = null;
        unfinished--;
        succeeded++;
        releasePermit(node);
        emit(new RunEvent.StepSucceeded(runId, node.finishedAt, node.step.id(), evidence, node.duration(),
                node.attempts));
    }

    private void onToolFailed(StepNode node, Throwable error) {
        if (terminated || node.state != StepNode.State.RUNNING) {
            return;
        }
        fail(node, StepFailures.classify(error, node.tool.name(),
                executor.resilience().policyFor(node.tool.name()).timeout(), node.attempts));
    }

    private void onToolCompletedEmpty(StepNode node) {
        if (terminated || node.state != StepNode.State.RUNNING) {
            return;
        }
        fail(node, StepError.of(StepError.Kind.NO_EVIDENCE, node.tool.name() + " completed without evidence"));
    }

    private void fail(StepNode node, StepError error) {
        markFailed(node, error);
        skipDependantsOf(node, node);
        finishIfDone();
    }

    private void markFailed(StepNode node, StepError error) {
        node.state = StepNode.State.FAILED;
        node.error = error;
        node.finishedAt = clock.now();
        node.call = null;
        unfinished--;
        releasePermit(node);
        emit(new RunEvent.StepFailed(runId, node.finishedAt, node.step.id(), error, node.duration(), node.attempts));
    }

    /** Skips every step that transitively depends on {@code node} and has not started; {@code root} is the failure. */
    private void skipDependantsOf(StepNode node, StepNode root) {
        if (node.dependants == null) {
            return;
        }
        StepError reason = dependencyFailed(root);
        ArrayDeque<StepNode> todo = new ArrayDeque<>(node.dependants);
        node.dependants = null;
        while (!todo.isEmpty()) {
            StepNode d = todo.poll();
            if (d.state != StepNode.State.WAITING_FOR_DEPENDENCIES) {
                continue; // already skipped through another path
            }
            skip(d, reason);
            if (d.dependants != null) {
                todo.addAll(d.dependants);
                d.dependants = null;
            }
        }
    }

    private void skip(StepNode node, StepError reason) {
        node.state = StepNode.State.SKIPPED;
        node.error = reason;
        node.finishedAt = clock.now();
        unfinished--;
        emit(new RunEvent.StepSkipped(runId, node.finishedAt, node.step.id(), reason));
    }

    private StepNode rootFailure(StepNode blocker) {
        if (blocker.state == StepNode.State.SKIPPED && blocker.error.blockedBy() != null) {
            StepNode root = nodes.get(blocker.error.blockedBy());
            if (root != null) {
                return root;
            }
        }
        return blocker;
    }

    private static StepError dependencyFailed(StepNode root) {
        return new StepError(StepError.Kind.DEPENDENCY_FAILED,
                "not run because " + root.step.id() + " failed: " + root.error.message(), root.step.id());
    }

    private void releasePermit(StepNode node) {
        if (node.permitHeld) {
            node.permitHeld = false;
            executor.limiter().release(node.tool.name());
        }
    }

    // ---- the end -----------------------------------------------------------------------------------------------

    private void finishIfDone() {
        if (terminated || !planComplete || unfinished != 0) {
            return;
        }
        if (succeeded == order.size()) {
            finish(RunStatus.SUCCEEDED, null);
        } else {
            finish(RunStatus.FAILED, RunError.of(RunError.STEPS_FAILED, failureSummary()));
        }
    }

    private void abortPlan(Throwable error) {
        RunError runError;
        if (error instanceof PlanParseException parse) {
            runError = new RunError(parse.error().code(), parse.getMessage(), parse.line());
        } else {
            runError = RunError.of(RunError.PLAN_STREAM_FAILED,
                    "the plan stream failed: " + StepFailures.describe(error));
        }
        abort(RunStatus.FAILED, runError, StepError.Kind.RUN_ABORTED, "the plan was rejected: " + runError.message());
    }

    private void onDeadline() {
        if (!terminated) {
            abort(RunStatus.TIMED_OUT, RunError.of(RunError.DEADLINE_EXCEEDED, "the run deadline of " + deadline
                    + " passed"), StepError.Kind.DEADLINE_EXCEEDED, "the run deadline of " + deadline + " passed");
        }
    }

    /**
     * Ends the run early but keeps everything already gathered: calls in flight are cancelled and marked failed, steps
     * not started are skipped, both with {@code why}.
     */
    private void abort(RunStatus status, RunError runError, StepError.Kind kind, String why) {
        terminated = true;
        stopInputs();
        for (StepNode node : order) {
            switch (node.state) {
                case RUNNING -> {
                    Evidence arrived = node.call.evidence();
                    if (arrived != null) {
                        // it answered before the abort but its signal is still queued: keep the evidence
                        markSucceeded(node, arrived);
                    } else {
                        node.call.dispose();
                        markFailed(node, StepError.of(kind, "cancelled: " + why));
                    }
                }
                case QUEUED -> {
                    node.abandon(); // if a grant is already on its way, onPermitGranted releases it
                    skip(node, StepError.of(kind, "not started: " + why));
                }
                case WAITING_FOR_DEPENDENCIES -> skip(node, StepError.of(kind, "not started: " + why));
                default -> {
                }
            }
        }
        finish(status, runError);
    }

    private void onCancelled() {
        if (terminated) {
            return;
        }
        terminated = true;
        stopInputs();
        for (StepNode node : order) {
            if (node.state == StepNode.State.RUNNING) {
                node.call.dispose();
                releasePermit(node);
            } else if (node.state == StepNode.State.QUEUED) {
                node.abandon();
            }
        }
    }

    private void stopInputs() {
        if (deadlineTask != null) {
            deadlineTask.dispose();
        }
        if (planSubscription != null) {
            planSubscription.dispose();
        }
    }

    private void finish(RunStatus status, RunError error) {
        terminated = true;
        stopInputs();
        Instant finishedAt = clock.now();
        List<StepResult> steps = new ArrayList<>(order.size());
        for (StepNode node : order) {
            steps.add(node.toResult());
        }
        Instant started = startedAt == null ? finishedAt : startedAt;
        ExecutionResult result = new ExecutionResult(runId, status, planComplete ? plan : null, steps, error, started,
                finishedAt, Duration.between(started, finishedAt));
        emit(new RunEvent.ExecutionFinished(runId, finishedAt, result));
        sink.complete();
    }

    private String failureSummary() {
        StringBuilder out = new StringBuilder();
        int failed = 0;
        int skipped = 0;
        for (StepNode node : order) {
            if (node.state == StepNode.State.FAILED) {
                if (failed++ < 3) {
                    out.append(out.length() == 0 ? "" : "; ").append(node.step.id()).append(": ")
                            .append(node.error.message());
                }
            } else if (node.state == StepNode.State.SKIPPED) {
                skipped++;
            }
        }
        return failed + " of " + order.size() + " steps failed (" + out + ")"
                + (skipped > 0 ? ", " + skipped + " skipped" : "");
    }

    /** A defect in the state machine: release what we hold and fail the event stream rather than hang. */
    private void defect(Throwable t) {
        Exceptions.throwIfJvmFatal(t);
        if (terminated) {
            // nobody is listening any more; Reactor's hook reports it (logs by default)
            Operators.onErrorDropped(t, Context.of(sink.contextView()));
            return;
        }
        terminated = true;
        try {
            stopInputs();
            for (StepNode node : order) {
                if (node.state == StepNode.State.RUNNING && node.call != null) {
                    node.call.dispose();
                }
                if (node.state == StepNode.State.QUEUED) {
                    node.abandon();
                }
                if (node.permitHeld) {
                    releasePermit(node);
                }
            }
        } catch (Throwable cleanup) {
            t.addSuppressed(cleanup);
        }
        sink.error(t);
    }

    private void emit(RunEvent event) {
        sink.next(event);
    }
}
