package io.rewoo4j.core.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.resilience.ToolPolicies;
import io.rewoo4j.core.resilience.ToolPolicy;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.RunStatus;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.PlanStep;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Measures the executor; see {@code docs/benchmarks/executor.md} for the command and the figures. Not a unit test:
 * run it with {@code ./mvnw -q -B -pl agent-core test-compile exec:exec}.
 *
 * <ol type="a">
 *   <li>Latency-bound plan: a DAG of steps with simulated tool latency, wall time against its critical path and
 *       against sequential execution.</li>
 *   <li>Overhead: 1,000 no-op steps, wide (all independent) and a chain, in µs per step.</li>
 *   <li>Streaming: time from the chunk that completes a step's line (pushed through {@code PlanParser.parse(Flux)})
 *       to that step's tool call.</li>
 *   <li>What streaming buys end to end: a seed-style plan written at a realistic decode rate, executed while it is
 *       written versus after it is complete.</li>
 * </ol>
 * Each scenario is warmed up and then repeated; medians and percentiles are printed.
 */
public final class ExecutorBenchmark {

    private ExecutorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> options = Arrays.asList(String.join(",", args).split(","));
        boolean quick = options.contains("quick");
        boolean all = options.stream().noneMatch(o -> o.length() == 1);
        System.out.printf(Locale.ROOT, "java %s, %d CPUs%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        if (all || options.contains("a")) {
            latencyBoundPlan(quick ? 3 : 10, quick ? 5 : 30);
        }
        if (all || options.contains("b")) {
            overhead(quick ? 50 : 300, quick ? 50 : 300);
        }
        if (all || options.contains("c")) {
            streaming(quick ? 20 : 100, quick ? 20 : 200);
        }
        if (all || options.contains("d")) {
            streamingVersusPlanThenExecute(quick ? 1 : 5);
        }
    }

    // ---- (a) ---------------------------------------------------------------------------------------------------

    /** Steps: id, tool latency in ms, input (references make the edges). */
    private static final Object[][] DAG = {
            {"e0", 100, "search a"},
            {"e1", 120, "search b"},
            {"e2", 80, "search c"},
            {"e3", 150, "read :e0:"},
            {"e4", 200, "scrape :e1:"},
            {"e5", 50, "links in :e2:"},
            {"e6", 200, "scrape :e5:"},
            {"e7", 150, "answer from :e3: :e4: :e6:"},
    };

    private static void latencyBoundPlan(int warmups, int runs) {
        System.out.println();
        System.out.println("(a) latency-bound plan: 8 steps, 3 independent chains joined by a final step");
        Map<String, Long> latencyMs = new ConcurrentHashMap<>();
        List<PlanStep> steps = new ArrayList<>();
        long sequentialMs = 0;
        for (Object[] row : DAG) {
            String id = (String) row[0];
            latencyMs.put(id, ((Integer) row[1]).longValue());
            sequentialMs += (Integer) row[1];
            steps.add(step(id, "Sim", (String) row[2]));
        }
        PlanGraph plan = new PlanGraph(steps, ":e7:", List.of("e7"));
        long criticalMs = criticalPathMs(plan, latencyMs);
        Tool sim = Tool.of("Sim", "simulated latency",
                r -> Mono.delay(Duration.ofMillis(latencyMs.get(r.stepId()))).thenReturn(Evidence.of("ok")));

        PlanExecutor concurrent = PlanExecutor.builder(ToolRegistry.of(sim)).build();
        PlanExecutor sequential = PlanExecutor.builder(ToolRegistry.of(sim)).maxConcurrency(1).build();
        long[] concurrentNs = time(concurrent, plan, warmups, runs);
        long[] sequentialNs = time(sequential, plan, Math.min(warmups, 2), Math.max(5, runs / 3));

        System.out.printf(Locale.ROOT, "  critical path %d ms, sum of latencies %d ms%n", criticalMs, sequentialMs);
        printMs("  concurrent (default policies)", concurrentNs);
        printMs("  sequential (maxConcurrency 1)", sequentialNs);
        double ratio = median(concurrentNs) / 1e6 / criticalMs;
        System.out.printf(Locale.ROOT, "  median wall / critical path = %.4f (%+.2f%%); speed-up over sequential %.2fx%n",
                ratio, (ratio - 1) * 100, median(sequentialNs) / median(concurrentNs));
    }

    private static long criticalPathMs(PlanGraph plan, Map<String, Long> latencyMs) {
        Map<String, Long> finish = new java.util.HashMap<>();
        long max = 0;
        for (PlanStep s : plan.steps()) {
            long start = 0;
            for (String d : s.dependsOn()) {
                start = Math.max(start, finish.get(d));
            }
            long end = start + latencyMs.get(s.id());
            finish.put(s.id(), end);
            max = Math.max(max, end);
        }
        return max;
    }

    private static long[] time(PlanExecutor executor, PlanGraph plan, int warmups, int runs) {
        for (int i = 0; i < warmups; i++) {
            check(executor.run(plan).block());
        }
        long[] out = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            check(executor.run(plan).block());
            out[i] = System.nanoTime() - t0;
        }
        return out;
    }

    // ---- (b) ---------------------------------------------------------------------------------------------------

    private static void overhead(int warmups, int runs) {
        System.out.println();
        System.out.println("(b) executor overhead: 1,000 no-op steps (tool answers synchronously), per step");
        Tool noop = Tool.of("Noop", "returns at once", r -> Mono.just(Evidence.of("x")));
        PlanGraph wide = wide(1000);
        PlanGraph chain = chain(1000);
        ToolPolicies unguarded = ToolPolicies.of(ToolPolicy.unguarded(1000));
        ToolPolicies defaults = ToolPolicies.defaults();
        Object[][] cases = {
                {"wide,  no queueing, unguarded      ", wide, unguarded, 1000},
                {"wide,  queued (64 global / 8 tool), unguarded", wide, ToolPolicies.of(ToolPolicy.unguarded(8)), 64},
                {"chain, unguarded                   ", chain, unguarded, 1000},
                {"wide,  no queueing, default policy ", wide, ToolPolicies.of(ToolPolicy.defaults().withMaxConcurrency(1000)), 1000},
                {"wide,  queued, default policy      ", wide, defaults, 64},
                {"chain, default policy              ", chain, defaults, 64},
        };
        for (Object[] c : cases) {
            PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(noop)).policies((ToolPolicies) c[2])
                    .maxConcurrency((Integer) c[3]).build();
            PlanGraph plan = (PlanGraph) c[1];
            long[] ns = time(executor, plan, warmups, runs);
            double[] usPerStep = Arrays.stream(ns).mapToDouble(n -> n / 1e3 / plan.steps().size()).sorted().toArray();
            System.out.printf(Locale.ROOT,
                    "  %-46s median %6.2f µs/step  p90 %6.2f  p99 %6.2f  (%,.0f steps/s at the median)%n",
                    ((String) c[0]).strip(), pct(usPerStep, 50), pct(usPerStep, 90), pct(usPerStep, 99),
                    1e6 / pct(usPerStep, 50));
        }
    }

    private static PlanGraph wide(int n) {
        List<PlanStep> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            steps.add(step("e" + i, "Noop", "input " + i));
        }
        return new PlanGraph(steps, ":e" + (n - 1) + ":", List.of("e" + (n - 1)));
    }

    private static PlanGraph chain(int n) {
        List<PlanStep> steps = new ArrayList<>(n);
        steps.add(step("e0", "Noop", "start"));
        for (int i = 1; i < n; i++) {
            steps.add(new PlanStep("e" + i, ":e" + i + ":", "Noop", "after :e" + (i - 1) + ":",
                    List.of("e" + (i - 1)), "", i + 1));
        }
        return new PlanGraph(steps, ":e" + (n - 1) + ":", List.of("e" + (n - 1)));
    }

    // ---- (c) ---------------------------------------------------------------------------------------------------

    private static void streaming(int warmups, int runs) throws InterruptedException {
        System.out.println();
        System.out.println("(c) streaming: chunk completing a step's line -> that step's tool call "
                + "(10-step plan, chunks of ~4 characters, model on its own thread)");
        int stepsPerPlan = 10;
        PlanParser parser = new PlanParser();
        long[] calledAt = new long[stepsPerPlan];
        Tool search = Tool.of("Search", "records when it is called", r -> {
            calledAt[Integer.parseInt(r.stepId().substring("evidence".length()))] = System.nanoTime();
            return Mono.delay(Duration.ofMillis(2)).thenReturn(Evidence.of("r"));
        });
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(search)).build();

        List<String> chunks = new ArrayList<>();
        List<Integer> lineEndChunk = new ArrayList<>(); // chunk index completing step i's line
        for (int i = 0; i < stepsPerPlan; i++) {
            String text = "Plan: look up fact " + i + ".\n:evidence" + i + ": = Search[fact number " + i + "]\n";
            for (int p = 0; p < text.length(); p += 4) {
                chunks.add(text.substring(p, Math.min(text.length(), p + 4)));
                if (text.substring(p, Math.min(text.length(), p + 4)).contains("]\n")) {
                    lineEndChunk.add(chunks.size() - 1);
                }
            }
        }
        chunks.add("Answer: :evidence9:");

        List<Long> firstLatencies = new ArrayList<>();
        List<Long> allLatencies = new ArrayList<>();
        for (int run = 0; run < warmups + runs; run++) {
            Arrays.fill(calledAt, 0);
            long[] emittedAt = new long[chunks.size()];
            Sinks.Many<String> model = Sinks.many().unicast().onBackpressureBuffer();
            // toFuture() subscribes at once, so the executor is listening before the "model" thread starts writing
            CompletableFuture<ExecutionResult> result = executor.execute(parser.parse(model.asFlux()))
                    .ofType(RunEvent.ExecutionFinished.class).map(RunEvent.ExecutionFinished::result).last()
                    .toFuture();
            Thread modelThread = new Thread(() -> {
                for (int c = 0; c < chunks.size(); c++) {
                    emittedAt[c] = System.nanoTime();
                    model.emitNext(chunks.get(c), Sinks.EmitFailureHandler.FAIL_FAST);
                    LockSupport.parkNanos(50_000); // a fast model: up to 20k chunks/s, without burning a core
                }
                model.emitComplete(Sinks.EmitFailureHandler.FAIL_FAST);
            });
            modelThread.start();
            modelThread.join();
            check(result.join());
            if (run >= warmups) {
                for (int i = 0; i < stepsPerPlan; i++) {
                    long latency = calledAt[i] - emittedAt[lineEndChunk.get(i)];
                    allLatencies.add(latency);
                    if (i == 0) {
                        firstLatencies.add(latency);
                    }
                }
            }
        }
        printUs("  first step: line complete -> tool call", firstLatencies.stream().mapToLong(Long::longValue).toArray());
        printUs("  every step: line complete -> tool call", allLatencies.stream().mapToLong(Long::longValue).toArray());
    }

    // ---- (d) ---------------------------------------------------------------------------------------------------

    private static final String SEED_PLAN = """
            Plan: Search for the 2020 laureate.
            :evidence0: = Search[Nobel Prize in Literature 2020 winner]
            Plan: Find the laureate's name in the results.
            :evidence1: = Read[Who won the Nobel Prize in Literature in 2020, given :evidence0:?]
            Plan: Search for the laureate's most famous work.
            :evidence2: = Search[Most famous work of :evidence1:]
            Plan: Extract the links from the results.
            :evidence3: = Links[:evidence2:]
            Plan: Scrape the pages.
            :evidence4: = Scrape[:evidence3:]
            Plan: Name and summarise the work.
            :evidence5: = Read[What is the most famous work of :evidence1:, given :evidence4:?]
            Answer: :evidence5:
            """;

    private static void streamingVersusPlanThenExecute(int runs) throws InterruptedException {
        Duration perChunk = Duration.ofMillis(20); // ~50 tokens/s, one ~4-character token per chunk
        Duration toolLatency = Duration.ofMillis(300);
        List<String> chunks = new ArrayList<>();
        for (int p = 0; p < SEED_PLAN.length(); p += 4) {
            chunks.add(SEED_PLAN.substring(p, Math.min(SEED_PLAN.length(), p + 4)));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "(d) seed-style 6-step plan, %d chunks at one per %d ms, every tool %d ms%n",
                chunks.size(), perChunk.toMillis(), toolLatency.toMillis());
        List<Tool> tools = new ArrayList<>();
        for (String name : new String[] {"Search", "Read", "Links", "Scrape"}) {
            tools.add(Tool.of(name, name, r -> Mono.delay(toolLatency).thenReturn(Evidence.of(name + " result"))));
        }
        PlanExecutor executor = PlanExecutor.builder(ToolRegistry.of(tools)).build();
        PlanParser parser = new PlanParser();
        long[] streamed = new long[runs];
        long[] batched = new long[runs];
        long[] firstCall = new long[runs];
        for (int run = 0; run < runs; run++) {
            for (boolean streaming : new boolean[] {true, false}) {
                Sinks.Many<String> model = Sinks.many().unicast().onBackpressureBuffer();
                long[] firstStart = {0};
                long t0 = System.nanoTime();
                reactor.core.publisher.Flux<io.rewoo4j.planner.PlanEvent> plan = streaming
                        ? parser.parse(model.asFlux())
                        : model.asFlux().collect(StringBuilder::new, StringBuilder::append)
                                .flatMapMany(text -> parser.parse(reactor.core.publisher.Flux.just(text.toString())));
                CompletableFuture<ExecutionResult> result = executor.execute(plan)
                        .doOnNext(e -> {
                            if (e instanceof RunEvent.StepStarted && firstStart[0] == 0) {
                                firstStart[0] = System.nanoTime();
                            }
                        })
                        .ofType(RunEvent.ExecutionFinished.class).map(RunEvent.ExecutionFinished::result).last()
                        .toFuture();
                for (String chunk : chunks) {
                    model.emitNext(chunk, Sinks.EmitFailureHandler.FAIL_FAST);
                    Thread.sleep(perChunk.toMillis()); // simulated decoding time, not synchronisation
                }
                model.emitComplete(Sinks.EmitFailureHandler.FAIL_FAST);
                check(result.join());
                long wall = System.nanoTime() - t0;
                if (streaming) {
                    streamed[run] = wall;
                    firstCall[run] = firstStart[0] - t0;
                } else {
                    batched[run] = wall;
                }
            }
        }
        long writing = chunks.size() * perChunk.toNanos();
        System.out.printf(Locale.ROOT, "  plan writing time %.0f ms, tool critical path %d ms%n", writing / 1e6,
                6 * toolLatency.toMillis());
        printMs("  plan, then execute", batched);
        printMs("  execute while planning (rewoo4j)", streamed);
        printMs("  first tool call after first chunk", firstCall);
        System.out.printf(Locale.ROOT, "  median saving %.0f ms (%.0f%%)%n", (median(batched) - median(streamed)) / 1e6,
                (1 - median(streamed) / median(batched)) * 100);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static PlanStep step(String id, String tool, String input) {
        List<String> deps = new ArrayList<>();
        io.rewoo4j.planner.EvidenceReferences.scan(input).forEach(r -> {
            if (!deps.contains(r.id())) {
                deps.add(r.id());
            }
        });
        return new PlanStep(id, ":" + id + ":", tool, input, deps, "", 1);
    }

    private static void check(ExecutionResult r) {
        if (r == null || r.status() != RunStatus.SUCCEEDED) {
            throw new IllegalStateException("benchmark run did not succeed: " + r);
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return pct(Arrays.stream(sorted).asDoubleStream().toArray(), 50);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double pct(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void printMs(String label, long[] ns) {
        double[] ms = Arrays.stream(ns).mapToDouble(n -> n / 1e6).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-40s n=%d  median %8.2f ms  p90 %8.2f  min %8.2f  max %8.2f%n", label,
                ms.length, pct(ms, 50), pct(ms, 90), ms[0], ms[ms.length - 1]);
    }

    private static void printUs(String label, long[] ns) {
        double[] us = Arrays.stream(ns).mapToDouble(n -> n / 1e3).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-40s n=%d  median %8.1f µs  p90 %8.1f  p99 %8.1f  max %8.1f%n", label,
                us.length, pct(us, 50), pct(us, 90), pct(us, 99), us[us.length - 1]);
    }
}
