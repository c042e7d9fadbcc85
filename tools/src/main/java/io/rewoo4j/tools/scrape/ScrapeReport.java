package io.rewoo4j.tools.scrape;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of one scrape: a {@link LinkResult} per link, in input order.
 *
 * @param links        one result per scraped link
 * @param omittedLinks how many further links of the input were not scraped ({@link TextScraperOptions#maxLinks()})
 */
public record ScrapeReport(List<LinkResult> links, int omittedLinks) {

    public ScrapeReport {
        links = List.copyOf(links);
    }

    public List<ScrapedPage> pages() {
        return links.stream().filter(ScrapedPage.class::isInstance).map(ScrapedPage.class::cast).toList();
    }

    public List<FailedLink> failures() {
        return links.stream().filter(FailedLink.class::isInstance).map(FailedLink.class::cast).toList();
    }

    /**
     * The tool output: per link a {@code Source: URL} line, then the page's title and main text (or an
     * {@code Error:} line); blocks separated by a blank line.
     */
    public String toText() {
        return links.stream().map(LinkResult::toText).collect(Collectors.joining("\n\n"));
    }
}
