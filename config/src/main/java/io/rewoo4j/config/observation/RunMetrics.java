package io.rewoo4j.config.observation;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.event.RunListener;
import io.rewoo4j.core.run.StepError;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;

/**
 * Records an agent's runs and steps as Micrometer meters:
 * <ul>
 *   <li>{@value #RUNS} (timer; tag {@code status}: {@code succeeded}, {@code failed}, {@code timed_out},
 *       {@code cancelled}): every finished run, from question to answer;</li>
 *   <li>{@value #RUNS_ACTIVE} (gauge): runs started and not yet finished;</li>
 *   <li>{@value #STEPS} (timer; tags {@code tool}, {@code status}: {@code succeeded} or {@code failed}): every step
 *       whose tool was called, from its first attempt to its outcome (retries included);</li>
 *   <li>{@value #STEP_FAILURES} (counter; tags {@code tool}, {@code kind}: the {@link StepError.Kind} in lower case,
 *       e.g. {@code timeout}, {@code circuit_open}): every failed step, also one whose tool was never called
 *       ({@code unknown_tool});</li>
 *   <li>{@value #STEPS_SKIPPED} (counter; tags {@code tool}, {@code kind}: why, e.g.
 *       {@code dependency_failed}): every step that never ran.</li>
 * </ul>
 * Tags are low-cardinality by construction: {@code tool} is a registered tool's name, or {@value #UNKNOWN_TOOL} for
 * whatever else a model wrote; run ids, questions and inputs are never tags.
 *
 * <p>It keeps, per run in progress, which tool each step calls (the step events that end a step name only the step);
 * that state is dropped when the run finishes, which the agent guarantees for every run it starts.
 */
public final class RunMetrics implements RunListener {

    public static final String RUNS = "rewoo.runs";
    public static final String RUNS_ACTIVE = "rewoo.runs.active";
    public static final String STEPS = "rewoo.steps";
    public static final String STEP_FAILURES = "rewoo.step.failures";
    public static final String STEPS_SKIPPED = "rewoo.steps.skipped";
    /** The {@code tool} tag of a step whose tool is not registered. */
    public static final String UNKNOWN_TOOL = "unknown";

    private final ToolRegistry tools;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Map<String, String>> toolByStepByRun = new ConcurrentHashMap<>();
    private final Meter.MeterProvider<Timer> runs;
    private final Meter.MeterProvider<Timer> steps;
    private final Meter.MeterProvider<Counter> failures;
    private final Meter.MeterProvider<Counter> skipped;

    /**
     * @param registry where the meters go
     * @param tools    the agent's tools: the only values the {@code tool} tag takes (besides {@value #UNKNOWN_TOOL})
     */
    public RunMetrics(MeterRegistry registry, ToolRegistry tools) {
        this.tools = tools;
        this.runs = Timer.builder(RUNS).description("Agent runs, from question to answer").withRegistry(registry);
        this.steps = Timer.builder(STEPS).description("Plan steps whose tool was called, retries included")
                .withRegistry(registry);
        this.failures = Counter.builder(STEP_FAILURES).description("Plan steps that failed, by kind of failure")
                .withRegistry(registry);
        this.skipped = Counter.builder(STEPS_SKIPPED).description("Plan steps that never ran, by reason")
                .withRegistry(registry);
        Gauge.builder(RUNS_ACTIVE, active, AtomicInteger::get).description("Agent runs in progress")
                .register(registry);
    }

    @Override
    public void onEvent(RunEvent event) {
        if (event instanceof RunEvent.RunStarted e) {
            toolByStepByRun.put(e.runId(), new ConcurrentHashMap<>());
            active.incrementAndGet();
        } else if (event instanceof RunEvent.StepPlanned e) {
            remember(e.runId(), e.step().id(), e.step().tool());
        } else if (event instanceof RunEvent.StepStarted e) {
            remember(e.runId(), e.stepId(), e.tool());
        } else if (event instanceof RunEvent.StepSucceeded e) {
            record(steps, toolOf(e.runId(), e.stepId()), "succeeded", e.duration());
        } else if (event instanceof RunEvent.StepFailed e) {
            String tool = toolOf(e.runId(), e.stepId());
            record(steps, tool, "failed", e.duration());
            failures.withTags("tool", tool, "kind", kind(e.error())).increment();
        } else if (event instanceof RunEvent.StepSkipped e) {
            skipped.withTags("tool", toolOf(e.runId(), e.stepId()), "kind", kind(e.reason())).increment();
        } else if (event instanceof RunEvent.RunFinished e) {
            if (toolByStepByRun.remove(e.runId()) != null) {
                active.decrementAndGet();
            }
            Duration duration = e.result().duration() != null ? e.result().duration()
                    : Duration.between(e.result().startedAt(), e.at());
            runs.withTags("status", e.result().status().name().toLowerCase(Locale.ROOT)).record(duration);
        }
    }

    private void remember(String runId, String stepId, String tool) {
        Map<String, String> toolByStep = toolByStepByRun.get(runId);
        if (toolByStep != null) {
            toolByStep.put(stepId, tools.find(tool).map(Tool::name).orElse(UNKNOWN_TOOL));
        }
    }

    private String toolOf(String runId, String stepId) {
        Map<String, String> toolByStep = toolByStepByRun.get(runId);
        String tool = toolByStep == null ? null : toolByStep.get(stepId);
        return tool == null ? UNKNOWN_TOOL : tool;
    }

    private static String kind(StepError error) {
        return error == null ? "unknown" : error.kind().name().toLowerCase(Locale.ROOT);
    }

    private static void record(Meter.MeterProvider<Timer> steps, String tool, String status, Duration duration) {
        // a step that never started (its tool unknown) has no duration: it is counted as a failure only
        if (duration != null) {
            steps.withTags("tool", tool, "status", status).record(duration);
        }
    }
}
