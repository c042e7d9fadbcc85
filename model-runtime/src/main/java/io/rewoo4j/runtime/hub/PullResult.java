package io.rewoo4j.runtime.hub;

import java.nio.file.Path;
import java.util.List;

/** What a pull did: the folder, the commit it came from, the files fetched and those already complete. */
public record PullResult(Path directory, String commit, List<String> downloaded, List<String> skipped, long bytesTransferred) {

    public PullResult {
        downloaded = List.copyOf(downloaded);
        skipped = List.copyOf(skipped);
    }
}
