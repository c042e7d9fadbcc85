package io.rewoo4j.tools.scrape;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Pages scraped during one agent run, keyed by normalised URL, so that a page several steps ask for is fetched
 * once. Concurrent requests for the same page share one fetch; a failed fetch is not kept, so a later step may try
 * again. Bounded; create one per run ({@link TextScraper#newRunCache()}) and let it go with the run.
 */
public final class PageCache {

    /** A finished load: the page, or why there is none. */
    private record Loaded(ScrapedPage page, Throwable error) {
    }

    private final AsyncCache<String, Loaded> pages;

    public PageCache(int maximumPages) {
        this.pages = Caffeine.newBuilder().maximumSize(maximumPages).buildAsync();
    }

    /** The cached page for {@code key}, or the one {@code loader} produces (started at most once per key). */
    Mono<ScrapedPage> get(String key, Supplier<Mono<ScrapedPage>> loader) {
        return Mono.defer(() -> {
            // Failures complete the future normally (as a Loaded with an error): the entry is then removed here,
            // before anyone sees the error, so a later request loads again.
            CompletableFuture<Loaded> future = pages.get(key, (k, executor) -> loader.get()
                    .map(page -> new Loaded(page, null))
                    .onErrorResume(e -> Mono.just(new Loaded(null, e)))
                    .toFuture());
            // suppressCancel: one caller giving up must not cancel the fetch that others share.
            return Mono.fromFuture(future, true).flatMap(loaded -> {
                if (loaded.error() != null) {
                    pages.asMap().remove(key, future);
                    return Mono.error(loaded.error());
                }
                return Mono.just(loaded.page());
            });
        });
    }

    /** How many pages are held (approximately, as Caffeine counts). */
    public long size() {
        return pages.synchronous().estimatedSize();
    }
}
