package io.rewoo4j.runtime.hub;

import java.util.OptionalLong;

/** One file of a repository revision: its path inside the repository and, when the listing gives it, its size. */
public record RepoFile(String path, OptionalLong size) {
}
