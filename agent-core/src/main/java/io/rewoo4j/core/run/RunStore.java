package io.rewoo4j.core.run;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where runs are kept so they can be looked up after (or while) they run.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #save(RunResult)} inserts a run, or replaces the run with the same {@link RunResult#runId()}; the agent
 *       saves a run when it starts ({@link RunStatus#RUNNING}) and again when it ends.</li>
 *   <li>A store may be bounded: it may forget old runs, so {@link #find(String)} of an old id may be empty.</li>
 *   <li>{@link #recent(int)} lists runs newest first, by when each run was first saved (an update does not move a run
 *       to the front).</li>
 *   <li>All methods are lazy, non-blocking and thread-safe; a store on blocking I/O must move it off the calling
 *       thread.</li>
 * </ul>
 */
public interface RunStore {

    /** Inserts or replaces the run; emits the run saved. */
    Mono<RunResult> save(RunResult run);

    /** The run with this id; empty when unknown or forgotten. */
    Mono<RunResult> find(String runId);

    /** Up to {@code limit} runs, newest first. */
    Flux<RunResult> recent(int limit);
}
