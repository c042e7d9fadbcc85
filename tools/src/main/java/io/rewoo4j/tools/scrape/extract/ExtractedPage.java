package io.rewoo4j.tools.scrape.extract;

import java.util.Objects;

/**
 * The main content of a web page as plain text.
 *
 * @param title the page's headline (empty when none was found); not repeated at the start of {@code text}
 * @param text  the main content: paragraphs separated by blank lines, list items one per line with a bullet,
 *              table rows one per line with cells separated by {@code " | "}, block quotes prefixed with
 *              {@code "> "}; empty when the page has no readable text
 */
public record ExtractedPage(String title, String text) {

    public ExtractedPage {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(text, "text");
    }

    /** Whether neither a title nor any text was found. */
    public boolean isEmpty() {
        return title.isEmpty() && text.isEmpty();
    }
}
