package io.rewoo4j.core.event;

/**
 * Observes every run an agent runs (for metrics, tracing or audit logs), without subscribing to each run's events.
 * Register listeners with {@code RewooAgent.builder().listener(...)}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #onEvent(RunEvent)} is called synchronously for every event of every run, in the run's order, before
 *       the run's subscriber sees the event, on whichever thread emits it (a tool's, the model's, a timer's).</li>
 *   <li>Every run a listener sees starts with {@link RunEvent.RunStarted} and ends with exactly one
 *       {@link RunEvent.RunFinished}: also when the caller cancels the run (status {@code CANCELLED}) or the agent
 *       fails with a defect (status {@code FAILED}, error {@code INTERNAL}). In those two cases the subscriber is gone
 *       and the {@code RunFinished} goes to the listeners only.</li>
 *   <li>Events of one run never overlap; events of different runs arrive concurrently, so implementations must be
 *       thread-safe.</li>
 *   <li>It must be fast and must not block: it delays the run it observes. Hand slow work (network export) to a
 *       queue.</li>
 *   <li>It must not throw. An exception is caught and logged; the run and the other listeners carry on as if the
 *       listener were absent.</li>
 * </ul>
 */
@FunctionalInterface
public interface RunListener {

    /** Called for each event of each run; see the class contract. */
    void onEvent(RunEvent event);
}
