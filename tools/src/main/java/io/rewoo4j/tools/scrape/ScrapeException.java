package io.rewoo4j.tools.scrape;

/** Why a whole {@link TextScraper#scrape} call failed (single links fail inside the report instead). */
public abstract sealed class ScrapeException extends RuntimeException
        permits NoLinksException, AllLinksFailedException {

    private static final long serialVersionUID = 1L;

    ScrapeException(String message, Throwable cause) {
        super(message, cause);
    }
}
