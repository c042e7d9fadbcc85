package io.rewoo4j.tools.scrape;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.tools.ToolErrors;
import reactor.core.publisher.Mono;

/**
 * {@code TextScraper[links]}: each link's main text, a block per link. Pages are cached per run, so a page two steps
 * of one run ask for is fetched once; each page is a {@link Source} whose excerpt is its main text.
 */
public final class TextScraperTool implements Tool {

    public static final String NAME = "TextScraper";

    /** The seeds' description of the tool, which the planning model was trained with. */
    public static final String DESCRIPTION = "Load one or more websites from the input string containing newline "
            + "delimited links, where input is one or more links, and produces plain text output containing the "
            + "content of the links.";

    private final TextScraper scraper;
    private final Clock clock;
    /** Run id → that run's pages; a run that stops calling lets its cache expire. */
    private final Cache<String, PageCache> runCaches = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(15)).maximumSize(256).build();

    public TextScraperTool(TextScraper scraper) {
        this(scraper, Clock.systemUTC());
    }

    public TextScraperTool(TextScraper scraper, Clock clock) {
        this.scraper = Objects.requireNonNull(scraper, "scraper");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return DESCRIPTION;
    }

    @Override
    public Mono<Evidence> execute(ToolRequest request) {
        return Mono.defer(() -> {
            PageCache cache = ToolRequest.DIRECT.equals(request.runId()) ? scraper.newRunCache()
                    : runCaches.get(request.runId(), id -> scraper.newRunCache());
            return scraper.scrape(request.input(), cache);
        }).map(report -> {
            Instant now = clock.instant();
            List<Source> sources = report.pages().stream()
                    .map(p -> new Source(p.url(), p.title().isEmpty() ? null : p.title(), now, p.text()))
                    .toList();
            return Evidence.of(report.toText(), sources);
        }).onErrorMap(e -> ToolErrors.toToolException(NAME, e));
    }
}
