package io.rewoo4j.tools.scrape;

/** The site's robots.txt does not allow the page to be fetched (only when robots.txt is respected). */
public final class RobotsDisallowedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RobotsDisallowedException(String url, String reason) {
        super("Not fetched: " + reason + " (" + url + ")");
    }
}
