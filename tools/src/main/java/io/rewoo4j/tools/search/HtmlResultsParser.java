package io.rewoo4j.tools.search;

import io.rewoo4j.tools.http.FetchRequest;
import io.rewoo4j.tools.http.HttpUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Reads a page of DuckDuckGo's no-JavaScript endpoint ({@code html.duckduckgo.com/html/}): results are
 * {@code div.result} blocks with an {@code a.result__a} title link and an {@code .result__snippet}; ads carry
 * {@code result--ad}; the "no results" and "no more results" pages carry a {@code .no-results} block (the former
 * with a snippet-less "EOF" link that is not a result); the instant answer is {@code #zero_click_abstract} under a
 * {@code .zci__heading}; the next page is a form in {@code .nav-link} whose submit button says "Next".
 */
final class HtmlResultsParser {

    /** Instant answers about the requester itself, which say nothing about the query. */
    private static final List<String> DIAGNOSTIC_ANSWERS =
            List.of("Your IP address is", "Your user agent:", "URL Decoded:");

    private HtmlResultsParser() {
    }

    /**
     * @throws DuckDuckGoRateLimitedException for a challenge page
     * @throws DuckDuckGoPageFormatException  for a page that is none of the known kinds
     */
    static ResultsPage parse(String html, HttpUrl pageUrl) {
        Document doc = Jsoup.parse(html, pageUrl.toString());
        if (ChallengePage.matches(doc)) {
            throw new DuckDuckGoRateLimitedException(DuckDuckGoRateLimitedException.Signal.CHALLENGE_PAGE, 200,
                    pageUrl.toString());
        }
        boolean noResultsMarker = doc.selectFirst(".no-results") != null;
        if (doc.selectFirst("#links, .serp__results, .results") == null && !noResultsMarker) {
            throw new DuckDuckGoPageFormatException(pageUrl.toString(), "no result list and no 'no results' notice");
        }
        List<SearchResult> results = new ArrayList<>();
        for (Element result : doc.select("div.result")) {
            if (result.hasClass("result--ad") || result.hasClass("result--no-result")) {
                continue;
            }
            Element link = result.selectFirst("a.result__a");
            if (link == null) {
                continue;
            }
            Element snippetElement = result.selectFirst(".result__snippet");
            String snippet = snippetElement == null ? "" : snippetElement.text().strip();
            // The "no results" page lists a bare fallback link (titled EOF) that is not a result.
            if (snippet.isEmpty() && noResultsMarker) {
                continue;
            }
            String title = link.text().strip();
            Optional<String> destination = ResultLinks.destination(link.attr("href"), pageUrl);
            if (!title.isEmpty() && destination.isPresent()) {
                results.add(new SearchResult(title, destination.get(), snippet));
            }
        }
        return new ResultsPage(instantAnswer(doc, pageUrl), results, nextPage(doc, pageUrl));
    }

    private static Optional<SearchResult> instantAnswer(Document doc, HttpUrl pageUrl) {
        Element box = doc.selectFirst("#zero_click_abstract");
        if (box == null) {
            return Optional.empty();
        }
        Element abstractText = box.clone();
        Optional<String> source = Optional.empty();
        for (Element a : abstractText.select("a")) {
            if (a.text().strip().toLowerCase(Locale.ROOT).startsWith("more at")) {
                source = ResultLinks.destination(a.attr("href"), pageUrl);
                a.remove();
            } else if (a.selectFirst("img") != null) {
                a.remove();
            }
        }
        abstractText.select("img").remove();
        String text = abstractText.text().strip();
        if (text.isEmpty() || DIAGNOSTIC_ANSWERS.stream().anyMatch(text::contains)) {
            return Optional.empty();
        }
        Element heading = doc.selectFirst(".zci__heading");
        Element headingLink = heading == null ? null : heading.selectFirst("a[href]");
        if (source.isEmpty() && headingLink != null) {
            source = ResultLinks.destination(headingLink.attr("href"), pageUrl);
        }
        if (source.isEmpty()) {
            // Every block names a URL; an answer without a source is left out rather than rendered half.
            return Optional.empty();
        }
        String title = heading == null || heading.text().isBlank() ? "Instant answer" : heading.text().strip();
        return Optional.of(new SearchResult(title, source.get(), text));
    }

    private static Optional<FetchRequest> nextPage(Document doc, HttpUrl pageUrl) {
        for (Element form : doc.select(".nav-link form")) {
            Element submit = form.selectFirst("input[type=submit], button[type=submit]");
            String label = submit == null ? "" : (submit.hasAttr("value") ? submit.val() : submit.text());
            if (!label.toLowerCase(Locale.ROOT).contains("next")) {
                continue;
            }
            return Optional.ofNullable(FormRequests.from(form, pageUrl));
        }
        return Optional.empty();
    }
}
