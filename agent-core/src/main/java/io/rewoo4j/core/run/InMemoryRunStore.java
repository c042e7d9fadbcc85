package io.rewoo4j.core.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link RunStore} in memory that keeps the most recent {@code capacity} runs and forgets the oldest. Operations take
 * a short lock and never block otherwise. Runs hold all their evidence (scraped pages can be large), which is why the
 * default capacity is modest.
 */
public final class InMemoryRunStore implements RunStore {

    public static final int DEFAULT_CAPACITY = 100;

    private final int capacity;
    // Insertion-ordered, and re-putting a key keeps its place: exactly "ordered by first save"
    private final LinkedHashMap<String, RunResult> runs;

    public InMemoryRunStore() {
        this(DEFAULT_CAPACITY);
    }

    public InMemoryRunStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.runs = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RunResult> eldest) {
                return size() > InMemoryRunStore.this.capacity;
            }
        };
    }

    @Override
    public Mono<RunResult> save(RunResult run) {
        Objects.requireNonNull(run, "run");
        return Mono.fromSupplier(() -> {
            synchronized (runs) {
                runs.put(run.runId(), run);
            }
            return run;
        });
    }

    @Override
    public Mono<RunResult> find(String runId) {
        return Mono.fromSupplier(() -> {
            synchronized (runs) {
                return runs.get(runId);
            }
        });
    }

    @Override
    public Flux<RunResult> recent(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        return Flux.defer(() -> {
            List<RunResult> newestFirst;
            synchronized (runs) {
                newestFirst = new ArrayList<>(runs.values());
            }
            Collections.reverse(newestFirst);
            return Flux.fromIterable(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
        });
    }

    public int capacity() {
        return capacity;
    }
}
