package io.rewoo4j.tools.scrape;

/** What scraping one link gave: its text, or why it failed. */
public sealed interface LinkResult permits ScrapedPage, FailedLink {

    /** The link as given in the input. */
    String url();

    /** The block for the tool output: a {@code Source:} line naming the URL, then the text or the error. */
    String toText();
}
