package io.rewoo4j.runtime.hub;

import java.util.List;

/** A revision resolved to its commit, with the files it lists (the hub's {@code siblings}). */
public record RepoSnapshot(HubRepoRef ref, String commit, List<RepoFile> files) {

    public RepoSnapshot {
        files = List.copyOf(files);
    }
}
