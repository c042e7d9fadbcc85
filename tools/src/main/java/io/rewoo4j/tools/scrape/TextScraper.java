package io.rewoo4j.tools.scrape;

import io.rewoo4j.tools.http.HttpUrl;
import io.rewoo4j.tools.http.FetchedPage;
import io.rewoo4j.tools.http.SafeHttpFetcher;
import io.rewoo4j.tools.links.HyperlinkExtractor;
import io.rewoo4j.tools.scrape.extract.ExtractedPage;
import io.rewoo4j.tools.scrape.extract.MainContentExtractor;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Loads the pages behind a list of links and returns their main text: the TextScraper tool.
 *
 * <p>The input is one link per line, as HyperlinkExtractor writes it, but links separated by spaces or commas, in
 * Markdown or in brackets are found too; duplicates are scraped once. Up to
 * {@link TextScraperOptions#concurrency()} links are fetched at the same time through the {@link SafeHttpFetcher};
 * results keep the input order. HTML goes through {@link MainContentExtractor}; plain text passes through as it is.
 * A link that fails becomes an {@code Error:} block without affecting the others; only when every link fails does
 * the call fail ({@link AllLinksFailedException}).
 *
 * <p>Thread-safe. Pages are cached per run in a {@link PageCache}; robots.txt files (when respected) per origin
 * for {@link TextScraperOptions#robotsCacheTtl()}.
 */
public final class TextScraper {

    // "a.com/x,https://b.com/y" holds two links; autolink would keep the comma inside one.
    private static final Pattern COMMA_BEFORE_LINK = Pattern.compile(",(?=\\s*(?:https?://|www\\.))",
            Pattern.CASE_INSENSITIVE);

    private final SafeHttpFetcher fetcher;
    private final MainContentExtractor extractor;
    private final TextScraperOptions options;
    private final HyperlinkExtractor links = new HyperlinkExtractor();
    private final RobotsTxtPolicy robots;

    public TextScraper(SafeHttpFetcher fetcher, MainContentExtractor extractor, TextScraperOptions options) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        this.options = Objects.requireNonNull(options, "options");
        this.robots = options.respectRobotsTxt()
                ? new RobotsTxtPolicy(fetcher, options.robotsUserAgent(), options.robotsCacheTtl())
                : null;
    }

    public TextScraperOptions options() {
        return options;
    }

    /** A page cache for one agent run, sized by {@link TextScraperOptions#maxCachedPages()}. */
    public PageCache newRunCache() {
        return new PageCache(options.maxCachedPages());
    }

    /** Scrapes the links in {@code input} with a cache of its own. */
    public Mono<ScrapeReport> scrape(String input) {
        return Mono.defer(() -> scrape(input, newRunCache()));
    }

    /**
     * Scrapes the links in {@code input}, sharing {@code runCache} with the run's other scrapes.
     * Fails with {@link NoLinksException} when there is no link and {@link AllLinksFailedException} when no link
     * could be scraped.
     */
    public Mono<ScrapeReport> scrape(String input, PageCache runCache) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(runCache, "runCache");
        List<String> all = links(input);
        if (all.isEmpty()) {
            return Mono.error(new NoLinksException(input));
        }
        List<String> chosen = all.subList(0, Math.min(all.size(), options.maxLinks()));
        return Flux.fromIterable(chosen)
                .flatMapSequential(link -> scrapeLink(link, runCache), options.concurrency())
                .collectList()
                .flatMap(results -> {
                    ScrapeReport report = new ScrapeReport(results, all.size() - chosen.size());
                    return report.pages().isEmpty()
                            ? Mono.error(new AllLinksFailedException(report.failures()))
                            : Mono.just(report);
                });
    }

    /** The distinct http(s) links of {@code input}, in order. */
    List<String> links(String input) {
        return links.extract(COMMA_BEFORE_LINK.matcher(input).replaceAll(" "));
    }

    private Mono<LinkResult> scrapeLink(String link, PageCache cache) {
        return Mono.defer(() -> {
                    HttpUrl url = HttpUrl.parse(link).withoutFragment();
                    Mono<Void> allowed = robots == null ? Mono.empty() : robots.check(url);
                    return allowed.then(cache.get(url.normalised(), () -> load(link, url)));
                })
                .<LinkResult>map(page -> page.forLink(link))
                // One link's failure is reported in its own block; the error is kept in the result.
                .onErrorResume(Exception.class, e -> Mono.just(new FailedLink(link, e)));
    }

    private Mono<ScrapedPage> load(String link, HttpUrl url) {
        return fetcher.get(url)
                // Extraction parses the whole page: CPU work, kept off the event loop.
                .publishOn(Schedulers.parallel())
                .map(page -> toScrapedPage(link, page));
    }

    private ScrapedPage toScrapedPage(String link, FetchedPage page) {
        String finalUrl = page.url().toString();
        if (!page.isHtml()) {
            return new ScrapedPage(link, finalUrl, "", limit(page.text().replace("\r\n", "\n").strip()));
        }
        ExtractedPage extracted = extractor.extract(page.text(), finalUrl);
        return new ScrapedPage(link, finalUrl, extracted.title().strip(), limit(extracted.text().strip()));
    }

    private String limit(String text) {
        int max = options.maxCharactersPerPage();
        if (max == 0 || text.length() <= max) {
            return text;
        }
        int cut = Character.isLowSurrogate(text.charAt(max)) ? max - 1 : max;
        return text.substring(0, cut) + " […]";
    }
}
