package io.rewoo4j.tools.search;

import io.rewoo4j.tools.http.FetchException;
import io.rewoo4j.tools.http.FetchRequest;
import io.rewoo4j.tools.http.FetchStatusException;
import io.rewoo4j.tools.http.FormField;
import io.rewoo4j.tools.http.HttpUrl;
import io.rewoo4j.tools.http.SafeHttpFetcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Searches DuckDuckGo through its no-JavaScript HTML endpoint the way a browser without scripts does: a form POST
 * of {@code q}, the region {@code kl} and the time filter {@code df}, with a {@code Referer}; further pages are
 * requested by posting the page's own next-page form ({@code s}, {@code dc}, {@code vqd}, ...) until enough results
 * are collected.
 *
 * <p>No results is an empty, successful {@link SearchResults}. A rate limit (HTTP 202, 403, 429) or a challenge
 * page is a {@link DuckDuckGoRateLimitedException}, retried with exponential backoff; when the retries run out and a
 * lite endpoint is configured, the lite endpoint is asked once. If a page after the first fails, the results
 * gathered so far are returned. Transport failures are the fetcher's {@link FetchException}s.
 *
 * <p>Thread-safe; one instance serves any number of concurrent searches.
 */
public final class DuckDuckGoSearch {

    private final SafeHttpFetcher fetcher;
    private final DuckDuckGoOptions options;
    private final HttpUrl baseUrl;
    private final HttpUrl liteUrl;

    public DuckDuckGoSearch(SafeHttpFetcher fetcher, DuckDuckGoOptions options) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.options = Objects.requireNonNull(options, "options");
        this.baseUrl = HttpUrl.of(options.baseUrl());
        this.liteUrl = options.liteUrl() == null ? null : HttpUrl.of(options.liteUrl());
    }

    public DuckDuckGoOptions options() {
        return options;
    }

    /** Searches for {@code query}, returning up to {@link DuckDuckGoOptions#maxResults()} results. */
    public Mono<SearchResults> search(String query) {
        return search(query, options.maxResults());
    }

    /**
     * Searches for {@code query}, returning up to {@code maxResults} web results (plus the instant answer).
     *
     * @throws IllegalArgumentException (through the Mono) for a blank query or a limit below 1
     */
    public Mono<SearchResults> search(String query, int maxResults) {
        String q = query == null ? "" : query.strip();
        if (q.isEmpty()) {
            return Mono.error(new IllegalArgumentException("The search query is empty"));
        }
        if (maxResults < 1) {
            return Mono.error(new IllegalArgumentException("maxResults must be at least 1: " + maxResults));
        }
        Mono<SearchResults> html = Mono.defer(() -> searchHtml(q, maxResults));
        if (liteUrl == null) {
            return html;
        }
        return html.onErrorResume(DuckDuckGoRateLimitedException.class, limited -> searchLite(q, maxResults)
                .onErrorMap(liteFailure -> {
                    limited.addSuppressed(liteFailure);
                    return limited;
                }));
    }

    private Mono<SearchResults> searchHtml(String query, int maxResults) {
        Collector collector = new Collector(query, maxResults);
        return fetchPage(firstRequest(baseUrl, query), HtmlResultsParser::parse)
                .flatMap(page -> {
                    collector.add(page);
                    return following(collector, page, 1);
                });
    }

    /** Follows next-page forms until enough results, no next form, the page limit, or a page adding nothing. */
    private Mono<SearchResults> following(Collector collector, ResultsPage page, int pagesRead) {
        if (collector.isFull() || page.nextPage().isEmpty() || pagesRead >= options.maxPages()) {
            return Mono.just(collector.results());
        }
        FetchRequest next = withBrowserHeaders(page.nextPage().get(), baseUrl);
        return fetchPage(next, HtmlResultsParser::parse)
                .flatMap(nextPage -> collector.add(nextPage) == 0
                        ? Mono.just(collector.results())
                        : following(collector, nextPage, pagesRead + 1))
                // A later page failing (rate limit, network) keeps what the earlier pages gave.
                .onErrorResume(e -> e instanceof DuckDuckGoException || e instanceof FetchException,
                        e -> Mono.just(collector.results()));
    }

    private Mono<SearchResults> searchLite(String query, int maxResults) {
        Collector collector = new Collector(query, maxResults);
        return fetchPageOnce(firstRequest(liteUrl, query), LiteResultsParser::parse)
                .map(page -> {
                    collector.add(page);
                    return collector.results();
                });
    }

    private FetchRequest firstRequest(HttpUrl endpoint, String query) {
        List<FormField> form = new ArrayList<>();
        form.add(new FormField("q", query));
        if (!options.region().isBlank()) {
            form.add(new FormField("kl", options.region()));
        }
        if (options.timeFilter() != TimeFilter.ANY) {
            form.add(new FormField("df", options.timeFilter().code()));
        }
        return withBrowserHeaders(FetchRequest.postForm(endpoint, form), endpoint);
    }

    /** The headers a browser sends when submitting a form on the endpoint's own page. */
    private static FetchRequest withBrowserHeaders(FetchRequest request, HttpUrl endpoint) {
        FetchRequest r = request.withHeader("Referer", endpoint.origin() + "/");
        return request.method() == FetchRequest.Method.POST ? r.withHeader("Origin", endpoint.origin()) : r;
    }

    private Mono<ResultsPage> fetchPage(FetchRequest request, BiFunction<String, HttpUrl, ResultsPage> parser) {
        return fetchPageOnce(request, parser).retryWhen(retrySpec(options));
    }

    private Mono<ResultsPage> fetchPageOnce(FetchRequest request, BiFunction<String, HttpUrl, ResultsPage> parser) {
        return fetcher.fetch(request)
                .onErrorMap(FetchStatusException.class, e -> isRateLimitStatus(e.statusCode())
                        ? new DuckDuckGoRateLimitedException(DuckDuckGoRateLimitedException.Signal.STATUS,
                        e.statusCode(), e.url())
                        : e)
                // Parsing is CPU work; keep it off the event loop that delivered the page.
                .publishOn(Schedulers.parallel())
                .map(page -> parser.apply(page.text(), page.url()));
    }

    private static boolean isRateLimitStatus(int status) {
        return status == 202 || status == 403 || status == 429;
    }

    /**
     * Retries rate limits and challenges: {@code maxRetries} times, pauses from {@code firstBackoff} doubling up to
     * {@code maxBackoff} with ±50% jitter; when they run out, the last {@link DuckDuckGoRateLimitedException}
     * itself is signalled.
     */
    static RetryBackoffSpec retrySpec(DuckDuckGoOptions options) {
        return Retry.backoff(options.maxRetries(), options.firstBackoff())
                .maxBackoff(options.maxBackoff())
                .jitter(0.5)
                .filter(e -> e instanceof DuckDuckGoRateLimitedException)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    /** Gathers results across pages: the first instant answer, results deduplicated by normalised URL. */
    private static final class Collector {
        private final String query;
        private final int maxResults;
        private final Map<String, SearchResult> results = new LinkedHashMap<>();
        private Optional<SearchResult> instantAnswer = Optional.empty();

        Collector(String query, int maxResults) {
            this.query = query;
            this.maxResults = maxResults;
        }

        /** Adds a page's results; returns how many were new. */
        int add(ResultsPage page) {
            if (instantAnswer.isEmpty()) {
                instantAnswer = page.instantAnswer();
            }
            int added = 0;
            for (SearchResult result : page.results()) {
                if (isFull()) {
                    break;
                }
                String key = HttpUrl.parse(result.url()).normalised();
                if (results.putIfAbsent(key, result) == null) {
                    added++;
                }
            }
            return added;
        }

        boolean isFull() {
            return results.size() >= maxResults;
        }

        SearchResults results() {
            return new SearchResults(query, instantAnswer, List.copyOf(results.values()));
        }
    }
}
