package io.rewoo4j.tools.scrape;

/** The input held no http(s) link. */
public final class NoLinksException extends ScrapeException {

    private static final long serialVersionUID = 1L;

    NoLinksException(String input) {
        super("No http(s) links in the input: '" + abbreviate(input) + "'", null);
    }

    private static String abbreviate(String input) {
        String oneLine = input.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
