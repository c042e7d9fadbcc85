package io.rewoo4j.config.actuate;

/**
 * The extension point through which the embedded model runtime reports itself to the {@code model} health indicator:
 * a bean of this type (the embedded provider's adapter will declare one) adds where the model runs and whether it is
 * serving. Without one, the indicator reports only what is configured.
 *
 * <p>{@link #state()} is called on every health check: it must be cheap and must not block (no probe inference).
 */
@FunctionalInterface
public interface EmbeddedModelHealth {

    /** The runtime as it is now. */
    State state();

    /** Where the runtime is in its life. */
    enum Phase {
        /** Reading and placing weights; not serving yet (health: {@code OUT_OF_SERVICE}). */
        LOADING,
        /** Serving completions (health: {@code UP}). */
        READY,
        /** Could not load or has stopped working (health: {@code DOWN}). */
        FAILED
    }

    /**
     * @param phase   loading, ready or failed
     * @param backend the backend in use, {@code auto} resolved: {@code cpu} or {@code cuda}
     * @param device  what it runs on, e.g. {@code NVIDIA H100 80GB HBM3} or {@code 16 CPU cores}
     * @param detail  what went wrong, or loading progress; {@code null} for none
     */
    record State(Phase phase, String backend, String device, String detail) {
    }
}
