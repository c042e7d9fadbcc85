package io.rewoo4j.tools.search;

import java.util.Objects;

/**
 * One search result: the title as shown, the destination URL (DuckDuckGo's redirect decoded) and the snippet
 * (empty when the page showed none).
 */
public record SearchResult(String title, String url, String snippet) {

    public SearchResult {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(snippet, "snippet");
    }

    /** The title line, the URL line and, when there is one, the snippet line. */
    public String toText() {
        return snippet.isEmpty() ? title + "\n" + url : title + "\n" + url + "\n" + snippet;
    }
}
