package io.rewoo4j.tools.search;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.tools.ToolErrors;
import reactor.core.publisher.Mono;

/**
 * {@code DuckDuckGo[query]}: web search. Its text is one block per result (title, URL, snippet); each result is also a
 * {@link Source} whose excerpt is its title and snippet, so a knowledge model can cite it.
 */
public final class DuckDuckGoTool implements Tool {

    public static final String NAME = "DuckDuckGo";

    /** The seeds' description of the tool, which the planning model was trained with. */
    public static final String DESCRIPTION = "Tool that enables the user to search for information using the "
            + "DuckDuckGo search engine. This tool is helpful in locating a suitable list of sites that may contain "
            + "the answer to the user's query. It does not directly answer the question but finds a list of sites "
            + "that might have the answer.";

    private final DuckDuckGoSearch search;
    private final Clock clock;

    public DuckDuckGoTool(DuckDuckGoSearch search) {
        this(search, Clock.systemUTC());
    }

    public DuckDuckGoTool(DuckDuckGoSearch search, Clock clock) {
        this.search = Objects.requireNonNull(search, "search");
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
        String query = request.input().strip();
        if (query.isEmpty()) {
            return Mono.error(ToolException.badInput("DuckDuckGo needs a query"));
        }
        return search.search(query)
                .map(results -> Evidence.of(results.toText(), sources(results, clock.instant())))
                .onErrorMap(e -> ToolErrors.toToolException(NAME, e));
    }

    private static List<Source> sources(SearchResults results, Instant now) {
        List<Source> out = new ArrayList<>();
        results.instantAnswer().ifPresent(r -> out.add(source(r, now)));
        results.results().forEach(r -> out.add(source(r, now)));
        return out;
    }

    private static Source source(SearchResult r, Instant now) {
        String excerpt = r.snippet().isBlank() ? r.title() : r.title() + "\n" + r.snippet();
        return new Source(r.url(), r.title(), now, excerpt);
    }
}
