package io.rewoo4j.tools.scrape;

import java.util.Objects;

/**
 * A scraped page.
 *
 * @param url      the link as given
 * @param finalUrl where the page came from, after redirects
 * @param title    the page's headline, empty when none (or for plain text)
 * @param text     the main text (for plain-text documents, the document)
 */
public record ScrapedPage(String url, String finalUrl, String title, String text) implements LinkResult {

    public ScrapedPage {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(finalUrl, "finalUrl");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(text, "text");
    }

    ScrapedPage forLink(String link) {
        return link.equals(url) ? this : new ScrapedPage(link, finalUrl, title, text);
    }

    @Override
    public String toText() {
        StringBuilder block = new StringBuilder("Source: ").append(url).append('\n');
        if (!title.isEmpty()) {
            block.append(title);
            if (!text.isEmpty()) {
                block.append("\n\n");
            }
        }
        if (title.isEmpty() && text.isEmpty()) {
            block.append("(no readable text)");
        }
        return block.append(text).toString();
    }
}
