package io.rewoo4j.tools.search;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a search found: DuckDuckGo's instant answer when it showed one, then the web results in page order, ads
 * removed and duplicates dropped. No results is an empty, successful value.
 *
 * @param query         the query as searched
 * @param instantAnswer the instant answer box ({@code #zero_click_abstract}), rendered before the results
 * @param results       the web results, at most the number asked for
 */
public record SearchResults(String query, Optional<SearchResult> instantAnswer, List<SearchResult> results) {

    public SearchResults {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(instantAnswer, "instantAnswer");
        results = List.copyOf(results);
    }

    /** Whether neither an instant answer nor any result was found. */
    public boolean isEmpty() {
        return instantAnswer.isEmpty() && results.isEmpty();
    }

    /**
     * The tool output: one block per result (instant answer first) — title line, URL line, snippet line —
     * blocks separated by a blank line; the empty string when nothing was found.
     */
    public String toText() {
        return Stream.concat(instantAnswer.stream(), results.stream())
                .map(SearchResult::toText)
                .collect(Collectors.joining("\n\n"));
    }
}
