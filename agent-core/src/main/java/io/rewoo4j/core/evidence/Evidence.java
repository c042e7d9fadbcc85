package io.rewoo4j.core.evidence;

import java.util.List;
import java.util.Objects;

/**
 * What one tool call produced: the text that later steps see in place of the step's variable, and the sources the
 * text was drawn from (so that an answer can cite them).
 *
 * @param text    the output text; substituted verbatim into dependants' inputs
 * @param sources where the text came from, in the tool's order; empty when the tool has none to name
 */
public record Evidence(String text, List<Source> sources) {

    public Evidence {
        Objects.requireNonNull(text, "text");
        sources = List.copyOf(sources);
    }

    /** Evidence without sources. */
    public static Evidence of(String text) {
        return new Evidence(text, List.of());
    }

    /** Evidence with the given sources. */
    public static Evidence of(String text, List<Source> sources) {
        return new Evidence(text, sources);
    }
}
