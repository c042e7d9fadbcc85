package io.rewoo4j.core.evidence;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a piece of evidence came from.
 *
 * @param url         the address the text was taken from
 * @param title       the page or result title; {@code null} when unknown
 * @param retrievedAt when the content was fetched; {@code null} when unknown
 */
public record Source(String url, String title, Instant retrievedAt) {

    public Source {
        Objects.requireNonNull(url, "url");
    }

    /** A source known only by its address. */
    public static Source of(String url) {
        return new Source(url, null, null);
    }
}
