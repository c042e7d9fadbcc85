package io.rewoo4j.core.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRequest;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A tool whose calls stay in flight until the test completes them, recording each request, how many calls are in
 * flight (and the most ever), and which calls were cancelled.
 */
public final class ControlledTool implements Tool {

    private final String name;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    public ControlledTool(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "a test tool whose calls the test completes";
    }

    @Override
    public Mono<Evidence> execute(ToolRequest request) {
        return Mono.defer(() -> {
            Call call = new Call(request);
            calls.add(call);
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            // a call stops being in flight when it signals its outcome (before its subscriber sees it) or is cancelled
            AtomicBoolean over = new AtomicBoolean();
            Runnable end = () -> {
                if (over.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                }
            };
            return call.result.asMono()
                    .doOnTerminate(end)
                    .doOnCancel(() -> {
                        call.cancelled = true;
                        end.run();
                    });
        });
    }

    public List<Call> calls() {
        return calls;
    }

    public Call call(int i) {
        return calls.get(i);
    }

    /** The call for the given step id (the latest one if retried). */
    public Call callFor(String stepId) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (calls.get(i).request.stepId().equals(stepId)) {
                return calls.get(i);
            }
        }
        throw new AssertionError("no call for " + stepId + " among " + calls.size());
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** One call: its request, and the means to finish it. */
    public static final class Call {
        public final ToolRequest request;
        final Sinks.One<Evidence> result = Sinks.one();
        volatile boolean cancelled;

        Call(ToolRequest request) {
            this.request = request;
        }

        public void succeed(String text) {
            result.emitValue(Evidence.of(text), Sinks.EmitFailureHandler.FAIL_FAST);
        }

        public void succeed(Evidence evidence) {
            result.emitValue(evidence, Sinks.EmitFailureHandler.FAIL_FAST);
        }

        public void fail(Throwable error) {
            result.emitError(error, Sinks.EmitFailureHandler.FAIL_FAST);
        }

        public void completeEmpty() {
            result.emitEmpty(Sinks.EmitFailureHandler.FAIL_FAST);
        }

        public boolean cancelled() {
            return cancelled;
        }

        public String input() {
            return request.input();
        }
    }
}
