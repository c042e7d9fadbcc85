package io.rewoo4j.tools.search;

import io.rewoo4j.tools.http.HttpUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Reads a page of DuckDuckGo's lite endpoint ({@code lite.duckduckgo.com/lite/}): a table whose rows hold an
 * {@code a.result-link}, then a {@code td.result-snippet}; sponsored rows are {@code tr.result-sponsored}. Only the
 * first page is read.
 */
final class LiteResultsParser {

    private LiteResultsParser() {
    }

    /**
     * @throws DuckDuckGoRateLimitedException for a challenge page
     * @throws DuckDuckGoPageFormatException  for a page with neither results nor a search form
     */
    static ResultsPage parse(String html, HttpUrl pageUrl) {
        Document doc = Jsoup.parse(html, pageUrl.toString());
        if (ChallengePage.matches(doc)) {
            throw new DuckDuckGoRateLimitedException(DuckDuckGoRateLimitedException.Signal.CHALLENGE_PAGE, 200,
                    pageUrl.toString());
        }
        List<SearchResult> results = new ArrayList<>();
        String title = null;
        String url = null;
        String snippet = "";
        // Links and snippets alternate in document order; a snippet belongs to the link before it.
        for (Element e : doc.select("a.result-link, td.result-snippet")) {
            if (e.hasClass("result-link")) {
                if (title != null) {
                    results.add(new SearchResult(title, url, snippet));
                }
                title = null;
                snippet = "";
                if (e.closest("tr.result-sponsored") != null) {
                    continue;
                }
                Optional<String> destination = ResultLinks.destination(e.attr("href"), pageUrl);
                String text = e.text().strip();
                if (destination.isPresent() && !text.isEmpty()) {
                    title = text;
                    url = destination.get();
                }
            } else if (title != null && snippet.isEmpty()) {
                snippet = e.text().strip();
            }
        }
        if (title != null) {
            results.add(new SearchResult(title, url, snippet));
        }
        if (results.isEmpty() && doc.selectFirst("input[name=q]") == null) {
            throw new DuckDuckGoPageFormatException(pageUrl.toString(), "no result links and no search form");
        }
        return new ResultsPage(Optional.empty(), results, Optional.empty());
    }
}
