package io.rewoo4j.core.testing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRequest;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A tool that answers after a fixed latency on Reactor's parallel scheduler (virtual under
 * {@code StepVerifier.withVirtualTime}), echoing its input, and records its concurrency and start times.
 */
public final class TimedTool implements Tool {

    private final String name;
    private final Duration latency;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final Map<String, Long> startMillisByStep = new ConcurrentHashMap<>();

    public TimedTool(String name, Duration latency) {
        this.name = name;
        this.latency = latency;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "answers after " + latency;
    }

    @Override
    public Mono<Evidence> execute(ToolRequest request) {
        return Mono.defer(() -> {
            calls.incrementAndGet();
            startMillisByStep.put(request.stepId(), Schedulers.parallel().now(java.util.concurrent.TimeUnit.MILLISECONDS));
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            // a call stops being in flight when it signals its outcome (before its subscriber sees it) or is cancelled
            AtomicBoolean over = new AtomicBoolean();
            Runnable end = () -> {
                if (over.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                }
            };
            return Mono.delay(latency).map(x -> Evidence.of(name + "(" + request.input() + ")"))
                    .doOnTerminate(end)
                    .doOnCancel(end);
        });
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    public int calls() {
        return calls.get();
    }

    /** When the step's call started, in the parallel scheduler's milliseconds. */
    public long startMillis(String stepId) {
        return startMillisByStep.get(stepId);
    }
}
