package io.rewoo4j.tools.scrape;

import java.util.Objects;

/**
 * A link that could not be scraped.
 *
 * @param url   the link as given
 * @param error why: a {@link io.rewoo4j.tools.http.FetchException}, a {@link RobotsDisallowedException}, ...
 */
public record FailedLink(String url, Throwable error) implements LinkResult {

    public FailedLink {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(error, "error");
    }

    /** The error's message (its type when it has none). */
    public String message() {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }

    @Override
    public String toText() {
        return "Source: " + url + "\nError: " + message();
    }
}
