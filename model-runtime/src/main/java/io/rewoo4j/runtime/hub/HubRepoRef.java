package io.rewoo4j.runtime.hub;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A model repository on the hub and the revision (branch, tag or commit) to pull, written
 * {@code owner/name[:revision]} as in text-generation-webui ({@code TheBloke/bagel-8x7b-v0.2-GPTQ:gptq-4bit-32g-actorder_True}).
 */
public record HubRepoRef(String owner, String name, String revision) {

    /** The revision used when none is written. */
    public static final String DEFAULT_REVISION = "main";

    // The hub's own rule for owner and name: letters, digits, '-', '_', '.'; no "--" or ".." and no '-'/'.' at the ends.
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?");

    public HubRepoRef {
        requireValidPart("owner", owner);
        requireValidPart("name", name);
        if (revision == null || revision.isBlank() || revision.chars().anyMatch(c -> c <= ' ') || revision.contains("..")) {
            throw new IllegalArgumentException("invalid revision '" + revision + "'");
        }
    }

    /** Parses {@code owner/name} or {@code owner/name:revision}; the message names what is wrong. */
    public static HubRepoRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty repository: expected OWNER/NAME[:REVISION]");
        }
        int colon = text.indexOf(':');
        String id = colon < 0 ? text : text.substring(0, colon);
        String revision = colon < 0 ? DEFAULT_REVISION : text.substring(colon + 1);
        int slash = id.indexOf('/');
        if (slash < 0 || slash != id.lastIndexOf('/')) {
            throw new IllegalArgumentException("malformed repository '" + text + "': expected OWNER/NAME[:REVISION]");
        }
        if (colon >= 0 && revision.isEmpty()) {
            throw new IllegalArgumentException("malformed repository '" + text + "': empty revision after ':'");
        }
        return new HubRepoRef(id.substring(0, slash), id.substring(slash + 1), revision);
    }

    /** {@code owner/name}, as the hub's URLs write it. */
    public String repoId() {
        return owner + "/" + name;
    }

    /** {@code ~/.cache/rewoo4j/models/{owner}--{name}--{revision}} ({@code /} in a revision such as {@code refs/pr/1} becomes {@code --}). */
    public Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".cache", "rewoo4j", "models", folderName());
    }

    /** {@code {owner}--{name}--{revision}}, safe as one path segment. */
    public String folderName() {
        return owner + "--" + name + "--" + revision.replace("/", "--").replace("\\", "--");
    }

    @Override
    public String toString() {
        return repoId() + ":" + revision;
    }

    private static void requireValidPart(String what, String value) {
        if (value == null || !PART.matcher(value).matches() || value.contains("--") || value.contains("..")) {
            throw new IllegalArgumentException("invalid repository " + what + " '" + value
                    + "': letters, digits, '-', '_' and '.' only, not at the ends");
        }
    }
}
