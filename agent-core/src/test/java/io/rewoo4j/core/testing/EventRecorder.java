package io.rewoo4j.core.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunResult;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Subscribes to a run's events and keeps them, for tests that drive tools by hand between assertions. The tools in
 * such tests complete on the test thread, so every event has arrived when the driving call returns.
 */
public final class EventRecorder {

    private final List<RunEvent> events = new CopyOnWriteArrayList<>();
    private final Disposable subscription;
    private volatile boolean completed;
    private volatile Throwable error;

    private EventRecorder(Flux<RunEvent> flux) {
        this.subscription = flux.subscribe(events::add, e -> error = e, () -> completed = true);
    }

    public static EventRecorder record(Flux<RunEvent> flux) {
        return new EventRecorder(flux);
    }

    public List<RunEvent> events() {
        return events;
    }

    public <T extends RunEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The index of the first event of the type for the step, or -1. */
    public int indexOf(Class<? extends RunEvent> type, String stepId) {
        for (int i = 0; i < events.size(); i++) {
            RunEvent e = events.get(i);
            if (type.isInstance(e) && stepId.equals(stepIdOf(e))) {
                return i;
            }
        }
        return -1;
    }

    public boolean completed() {
        return completed;
    }

    public Throwable error() {
        return error;
    }

    public void dispose() {
        subscription.dispose();
    }

    /** The execution result; fails the test if the execution has not finished. */
    public ExecutionResult result() {
        return events(RunEvent.ExecutionFinished.class).stream().reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("not finished; events: " + events)).result();
    }

    /** The agent run result; fails the test if the run has not finished. */
    public RunResult runResult() {
        return events(RunEvent.RunFinished.class).stream().reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("not finished; events: " + events)).result();
    }

    private static String stepIdOf(RunEvent e) {
        if (e instanceof RunEvent.StepPlanned p) {
            return p.step().id();
        } else if (e instanceof RunEvent.StepStarted s) {
            return s.stepId();
        } else if (e instanceof RunEvent.StepSucceeded s) {
            return s.stepId();
        } else if (e instanceof RunEvent.StepFailed f) {
            return f.stepId();
        } else if (e instanceof RunEvent.StepSkipped s) {
            return s.stepId();
        }
        return null;
    }
}
