package io.rewoo4j.runtime.hub;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which of a repository's files to pull: everything, or those matching any of a few glob patterns
 * ({@code *.safetensors}, {@code *.json}, {@code tokenizer.model}). As in the hub's own client, {@code *} also
 * matches {@code /}, so {@code *.json} selects {@code sub/config.json} too; {@code ?} matches one character.
 */
public final class FileSelection {

    private static final FileSelection ALL = new FileSelection(List.of());

    private final List<String> globs;
    private final List<Pattern> patterns;

    private FileSelection(List<String> globs) {
        this.globs = List.copyOf(globs);
        this.patterns = this.globs.stream().map(FileSelection::toRegex).toList();
    }

    /** Every file the repository lists. */
    public static FileSelection all() {
        return ALL;
    }

    /** The files matching any of the patterns; no patterns means every file. */
    public static FileSelection matching(List<String> globs) {
        for (String glob : globs) {
            if (glob == null || glob.isBlank()) {
                throw new IllegalArgumentException("empty file pattern");
            }
        }
        return globs.isEmpty() ? ALL : new FileSelection(globs);
    }

    public boolean includes(String path) {
        return patterns.isEmpty() || patterns.stream().anyMatch(p -> p.matcher(path).matches());
    }

    public List<String> globs() {
        return globs;
    }

    private static Pattern toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return patterns.isEmpty() ? "all files" : String.join(", ", globs);
    }
}
