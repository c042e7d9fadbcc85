package io.rewoo4j.tools.scrape;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link TextScraper}.
 *
 * @param maxLinks             how many links of one input are scraped; further ones are left out
 * @param concurrency          how many links are fetched at the same time
 * @param maxCachedPages       how many pages a {@link PageCache} keeps
 * @param respectRobotsTxt     whether to honour each site's robots.txt (off by default: the tool fetches pages a
 *                             person asked about, one at a time, like a browser)
 * @param robotsUserAgent      the product token matched against robots.txt {@code User-agent} lines
 * @param robotsCacheTtl       how long a site's robots.txt is reused
 * @param maxCharactersPerPage the most characters of text kept per page, 0 for no limit
 */
public record TextScraperOptions(int maxLinks, int concurrency, int maxCachedPages, boolean respectRobotsTxt,
                                 String robotsUserAgent, Duration robotsCacheTtl, int maxCharactersPerPage) {

    public TextScraperOptions {
        if (maxLinks < 1) {
            throw new IllegalArgumentException("maxLinks must be at least 1: " + maxLinks);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
        }
        if (maxCachedPages < 1) {
            throw new IllegalArgumentException("maxCachedPages must be at least 1: " + maxCachedPages);
        }
        Objects.requireNonNull(robotsUserAgent, "robotsUserAgent");
        Objects.requireNonNull(robotsCacheTtl, "robotsCacheTtl");
        if (maxCharactersPerPage < 0) {
            throw new IllegalArgumentException("maxCharactersPerPage must not be negative: " + maxCharactersPerPage);
        }
    }

    /** 10 links, 4 at a time, 64 cached pages, robots.txt ignored (token {@code rewoo4j}, kept 1 h), no text limit. */
    public static TextScraperOptions defaults() {
        return new TextScraperOptions(10, 4, 64, false, "rewoo4j", Duration.ofHours(1), 0);
    }

    public TextScraperOptions withMaxLinks(int value) {
        return new TextScraperOptions(value, concurrency, maxCachedPages, respectRobotsTxt, robotsUserAgent,
                robotsCacheTtl, maxCharactersPerPage);
    }

    public TextScraperOptions withConcurrency(int value) {
        return new TextScraperOptions(maxLinks, value, maxCachedPages, respectRobotsTxt, robotsUserAgent,
                robotsCacheTtl, maxCharactersPerPage);
    }

    public TextScraperOptions withRespectRobotsTxt(boolean value) {
        return new TextScraperOptions(maxLinks, concurrency, maxCachedPages, value, robotsUserAgent,
                robotsCacheTtl, maxCharactersPerPage);
    }

    public TextScraperOptions withMaxCharactersPerPage(int value) {
        return new TextScraperOptions(maxLinks, concurrency, maxCachedPages, respectRobotsTxt, robotsUserAgent,
                robotsCacheTtl, value);
    }
}
