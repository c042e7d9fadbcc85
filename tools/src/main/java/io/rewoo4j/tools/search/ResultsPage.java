package io.rewoo4j.tools.search;

import io.rewoo4j.tools.http.FetchRequest;
import java.util.List;
import java.util.Optional;

/**
 * One parsed page of results.
 *
 * @param instantAnswer the instant answer box, if shown
 * @param results       the organic results in page order
 * @param nextPage      the request the page's own "Next" form would send, if it has one
 */
record ResultsPage(Optional<SearchResult> instantAnswer, List<SearchResult> results, Optional<FetchRequest> nextPage) {

    ResultsPage {
        results = List.copyOf(results);
    }
}
