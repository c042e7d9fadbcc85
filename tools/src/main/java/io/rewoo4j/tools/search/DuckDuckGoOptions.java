package io.rewoo4j.tools.search;

import io.rewoo4j.tools.http.HttpUrl;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link DuckDuckGoSearch}.
 *
 * @param baseUrl      the no-JavaScript HTML endpoint ({@code rewoo.tools.duckduckgo.base-url})
 * @param liteUrl      the lite endpoint tried once when the HTML endpoint stays rate-limited after its retries;
 *                     null for no fallback
 * @param region       the {@code kl} region code, {@code wt-wt} for no region
 * @param timeFilter   the {@code df} time filter
 * @param maxResults   how many web results to return by default (the instant answer is extra)
 * @param maxPages     how many result pages to read at most, following each page's own next-page form
 * @param maxRetries   how often a rate-limited or challenged request is retried
 * @param firstBackoff the pause before the first retry; each further pause doubles, with ±50% jitter
 * @param maxBackoff   the longest pause between retries
 */
public record DuckDuckGoOptions(URI baseUrl, URI liteUrl, String region, TimeFilter timeFilter, int maxResults,
                                int maxPages, int maxRetries, Duration firstBackoff, Duration maxBackoff) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://html.duckduckgo.com/html/");
    public static final URI DEFAULT_LITE_URL = URI.create("https://lite.duckduckgo.com/lite/");

    public DuckDuckGoOptions {
        HttpUrl.of(Objects.requireNonNull(baseUrl, "baseUrl"));
        if (liteUrl != null) {
            HttpUrl.of(liteUrl);
        }
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(timeFilter, "timeFilter");
        if (maxResults < 1) {
            throw new IllegalArgumentException("maxResults must be at least 1: " + maxResults);
        }
        if (maxPages < 1) {
            throw new IllegalArgumentException("maxPages must be at least 1: " + maxPages);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
        }
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= firstBackoff <= maxBackoff");
        }
    }

    /**
     * The public endpoints with the lite fallback, no region, any time, 10 results from at most 3 pages, 2 retries
     * after 2 s and 4 s (±50%), at most 20 s apart.
     */
    public static DuckDuckGoOptions defaults() {
        return new DuckDuckGoOptions(DEFAULT_BASE_URL, DEFAULT_LITE_URL, "wt-wt", TimeFilter.ANY, 10, 3, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    /**
     * These options searching at {@code url}. Pointing the search elsewhere (a local test server, a mirror) also
     * drops the lite fallback unless {@code url} is the public endpoint, so a test never reaches the real
     * DuckDuckGo by falling back; set one again with {@link #withLiteUrl(URI)}.
     */
    public DuckDuckGoOptions withBaseUrl(URI url) {
        URI lite = url.equals(DEFAULT_BASE_URL) ? liteUrl : null;
        return new DuckDuckGoOptions(url, lite, region, timeFilter, maxResults, maxPages, maxRetries, firstBackoff,
                maxBackoff);
    }

    /** These options with another lite endpoint; null turns the fallback off. */
    public DuckDuckGoOptions withLiteUrl(URI url) {
        return new DuckDuckGoOptions(baseUrl, url, region, timeFilter, maxResults, maxPages, maxRetries,
                firstBackoff, maxBackoff);
    }

    public DuckDuckGoOptions withRegion(String value) {
        return new DuckDuckGoOptions(baseUrl, liteUrl, value, timeFilter, maxResults, maxPages, maxRetries,
                firstBackoff, maxBackoff);
    }

    public DuckDuckGoOptions withTimeFilter(TimeFilter value) {
        return new DuckDuckGoOptions(baseUrl, liteUrl, region, value, maxResults, maxPages, maxRetries,
                firstBackoff, maxBackoff);
    }

    public DuckDuckGoOptions withMaxResults(int value) {
        return new DuckDuckGoOptions(baseUrl, liteUrl, region, timeFilter, value, maxPages, maxRetries,
                firstBackoff, maxBackoff);
    }

    public DuckDuckGoOptions withMaxPages(int value) {
        return new DuckDuckGoOptions(baseUrl, liteUrl, region, timeFilter, maxResults, value, maxRetries,
                firstBackoff, maxBackoff);
    }

    /** These options retrying {@code retries} times, the first pause {@code first}, none longer than {@code max}. */
    public DuckDuckGoOptions withRetries(int retries, Duration first, Duration max) {
        return new DuckDuckGoOptions(baseUrl, liteUrl, region, timeFilter, maxResults, maxPages, retries, first,
                max);
    }
}
