package io.rewoo4j.config.tools;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import io.rewoo4j.tools.search.TimeFilter;

/**
 * The built-in tools ({@code rewoo.tools.*}).
 *
 * @param http           the safe HTTP fetcher every HTTP tool uses
 * @param duckduckgo     the DuckDuckGo search tool
 * @param scraper        the TextScraper tool
 * @param links          the HyperlinkExtractor tool
 * @param knowledgeModel the KnowledgeModel tool
 */
@ConfigurationProperties("rewoo.tools")
public record ToolsProperties(@DefaultValue Http http, @DefaultValue DuckDuckGo duckduckgo,
                              @DefaultValue Scraper scraper, @DefaultValue Links links,
                              @DefaultValue KnowledgeModel knowledgeModel) {

    /**
     * The safe HTTP fetcher.
     *
     * @param allowPrivateAddresses whether loopback, private, link-local and other internal addresses may be fetched;
     *                              for local testing only
     * @param connectTimeout        how long to wait for a connection
     * @param readTimeout           how long to wait for data before giving up
     * @param totalTimeout          the most one fetch (redirects included) may take
     * @param maxResponseSize       the largest response body read; larger ones are aborted
     * @param maxRedirects          the most redirects followed (each re-checked against the address policy)
     * @param userAgent             the User-Agent sent; empty for the built-in browser-like one
     */
    public record Http(@DefaultValue("false") boolean allowPrivateAddresses,
                       @DefaultValue("10s") Duration connectTimeout, @DefaultValue("15s") Duration readTimeout,
                       @DefaultValue("30s") Duration totalTimeout, @DefaultValue("5MB") DataSize maxResponseSize,
                       @DefaultValue("5") int maxRedirects, String userAgent) {
    }

    /**
     * DuckDuckGo search.
     *
     * @param enabled    whether the tool is registered
     * @param baseUrl    the no-JavaScript HTML endpoint
     * @param liteUrl    the lite endpoint tried when the HTML one is rate limited; empty for none. Ignored (no
     *                   fallback) when {@code base-url} is not the default, so a test server never falls back to
     *                   the real site
     * @param region     the {@code kl} region, e.g. {@code us-en}; empty for none
     * @param timeFilter {@code any}, {@code day}, {@code week}, {@code month} or {@code year}: how recent results must be
     * @param maxResults the most results returned
     * @param maxPages   the most result pages fetched to reach {@code max-results}
     */
    public record DuckDuckGo(@DefaultValue("true") boolean enabled,
                             @DefaultValue("https://html.duckduckgo.com/html/") URI baseUrl,
                             @DefaultValue("https://lite.duckduckgo.com/lite/") String liteUrl, String region,
                             @DefaultValue("any") TimeFilter timeFilter, @DefaultValue("10") int maxResults, @DefaultValue("3") int maxPages) {
    }

    /**
     * The TextScraper.
     *
     * @param enabled              whether the tool is registered
     * @param maxLinks             the most links scraped per call
     * @param concurrency          how many pages of one call are fetched at once
     * @param respectRobotsTxt     whether robots.txt is read and obeyed
     * @param maxCharactersPerPage the most characters of main text kept per page; 0 for no limit
     */
    public record Scraper(@DefaultValue("true") boolean enabled, @DefaultValue("10") int maxLinks,
                          @DefaultValue("4") int concurrency, @DefaultValue("false") boolean respectRobotsTxt,
                          @DefaultValue("0") int maxCharactersPerPage) {
    }

    /**
     * The HyperlinkExtractor.
     *
     * @param enabled whether the tool is registered
     */
    public record Links(@DefaultValue("true") boolean enabled) {
    }

    /**
     * The KnowledgeModel (it answers with the configured model).
     *
     * @param enabled       whether the tool is registered
     * @param contextTokens the model's context window in tokens
     * @param answerTokens  the most answer tokens (kept free in the window)
     * @param temperature   the sampling temperature (0 is greedy)
     */
    public record KnowledgeModel(@DefaultValue("true") boolean enabled, @DefaultValue("4096") int contextTokens,
                                 @DefaultValue("512") int answerTokens, @DefaultValue("0") double temperature) {
    }
}
