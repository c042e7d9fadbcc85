package io.rewoo4j.runtime.hub;

/**
 * Told about every step of a pull, on the pulling thread: keep it quick (a progress bar throttles its own drawing).
 * {@link PullProgress.Stage#TRANSFERRING} comes once per buffer read.
 */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = progress -> {
    };

    void onProgress(PullProgress progress);
}
