package io.rewoo4j.core.evidence;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a piece of evidence came from.
 *
 * @param url         the address the text was taken from
 * @param title       the page or result title; {@code null} when unknown
 * @param retrievedAt when the content was fetched; {@code null} when unknown
 * @param excerpt     the part of the evidence text drawn from this source (a search result's snippet, a page's main
 *                    text); {@code null} when the tool does not split its text by source. A knowledge model gives
 *                    each excerpt its own context block, so that it can say which source an answer came from
 */
public record Source(String url, String title, Instant retrievedAt, String excerpt) {

    public Source {
        Objects.requireNonNull(url, "url");
    }

    /** A source without an excerpt. */
    public Source(String url, String title, Instant retrievedAt) {
        this(url, title, retrievedAt, null);
    }

    /** A source known only by its address. */
    public static Source of(String url) {
        return new Source(url, null, null, null);
    }
}
