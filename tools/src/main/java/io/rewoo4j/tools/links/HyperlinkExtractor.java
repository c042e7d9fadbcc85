package io.rewoo4j.tools.links;

import io.rewoo4j.tools.http.HttpUrl;
import io.rewoo4j.tools.http.InvalidUrlException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.nibor.autolink.LinkExtractor;
import org.nibor.autolink.LinkSpan;
import org.nibor.autolink.LinkType;

/**
 * Finds the http(s) links in free text — a model's answer, search results, a scraped page — the way chat and
 * Markdown renderers do (autolink): a link ends before trailing sentence punctuation and before a closing bracket or
 * quote that it did not open, while balanced parentheses inside it are kept
 * ({@code https://en.wikipedia.org/wiki/Rust_(programming_language)}). Links without a scheme that start with
 * {@code www.} are taken as {@code http://}. Other schemes (ftp, mailto, javascript, file) are dropped.
 *
 * <p>Links are returned in order of first appearance, each once: two spellings of the same URL — different host
 * case, an explicit default port, a different fragment — count as one, and the first spelling is kept.
 *
 * <p>Pure and thread-safe.
 */
public final class HyperlinkExtractor {

    private final LinkExtractor autolink = LinkExtractor.builder()
            .linkTypes(EnumSet.of(LinkType.URL, LinkType.WWW))
            .build();

    /** The distinct http(s) links in {@code text}, in order of first appearance. */
    public List<String> extract(String text) {
        Objects.requireNonNull(text, "text");
        Set<String> seen = new LinkedHashSet<>();
        List<String> links = new ArrayList<>();
        for (LinkSpan span : autolink.extractLinks(text)) {
            String link = trimMarkup(text, span.getBeginIndex(), span.getEndIndex());
            if (span.getType() == LinkType.WWW) {
                link = "http://" + link;
            }
            String lower = link.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
                continue;
            }
            String key;
            try {
                key = HttpUrl.parse(link).withoutFragment().normalised();
            } catch (InvalidUrlException e) {
                // Not a usable URL after all (no host, a bad IPv4 literal): not a link.
                continue;
            }
            if (seen.add(key)) {
                links.add(link);
            }
        }
        return List.copyOf(links);
    }

    /** The tool output: the distinct links of {@code text}, one per line (empty when there are none). */
    public String extractAsText(String text) {
        return String.join("\n", extract(text));
    }

    /**
     * Removes Markdown emphasis that autolink keeps: {@code **https://x**} and, when the link is also preceded by
     * the same mark, {@code _https://x_} or {@code ~~https://x~~}.
     */
    private static String trimMarkup(String text, int begin, int end) {
        int e = end;
        while (e > begin && text.charAt(e - 1) == '*') {
            e--;
        }
        while (e > begin && (text.charAt(e - 1) == '_' || text.charAt(e - 1) == '~')
                && begin > 0 && text.charAt(begin - 1) == text.charAt(e - 1)) {
            e--;
        }
        return text.substring(begin, e);
    }
}
