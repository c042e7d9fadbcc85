package io.rewoo4j.tools.scrape.extract;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Extracts a web page's main content — the article, without navigation, headers and footers, sidebars, ads,
 * comments, share widgets, related links, cookie banners, scripts and hidden elements — as readable plain text.
 *
 * <p>The steps, each in its own class: read the page's metadata ({@link ArticleMetadata}) and headline
 * ({@link TitleResolver}); remove what is never content ({@link BoilerplatePruner}); find the element holding
 * the article by scoring paragraphs into their ancestors ({@link ContentLocator}); write it out as text
 * ({@link PlainTextRenderer}). A page without a clear article yields the text of its whole (pruned) body; a
 * page whose HTML holds much less text than the {@code articleBody} it declares in JSON-LD (one that renders its
 * article with scripts) yields that declared text.
 *
 * <p>Stateless and thread-safe; the given {@link Document} is never modified.
 */
public final class MainContentExtractor {

    /** A JSON-LD {@code articleBody} this long is worth using when the page's own text falls short of it. */
    private static final int MIN_DECLARED_BODY_CHARS = 500;

    /** Extracts from raw HTML; {@code baseUrl} resolves relative links and may be empty. */
    public ExtractedPage extract(String html, String baseUrl) {
        Objects.requireNonNull(html, "html");
        return extractFrom(Jsoup.parse(html, baseUrl == null ? "" : baseUrl));
    }

    /** Extracts from a parsed page, which is left as it was. */
    public ExtractedPage extract(Document document) {
        Objects.requireNonNull(document, "document");
        return extractFrom(document.clone());
    }

    private ExtractedPage extractFrom(Document document) {
        ArticleMetadata metadata = ArticleMetadata.read(document);
        String title = TitleResolver.resolve(document, metadata);
        Element body = document.body();
        Element headline = TitleResolver.headline(body, title);
        BoilerplatePruner.prune(body, headline);
        List<Element> content = ContentLocator.locate(body, headline);
        ContentCleaner.clean(content);
        String text = withoutLeadingTitle(PlainTextRenderer.render(content), title);
        if (text.isEmpty()) {
            text = withoutLeadingTitle(PlainTextRenderer.render(List.of(body)), title);
        }
        String declaredBody = metadata.articleBody();
        if (declaredBody.length() >= MIN_DECLARED_BODY_CHARS && text.length() * 2 < declaredBody.length()) {
            // Pages that build their article with scripts still declare it: the declaration beats a scrap.
            text = PlainTextRenderer.render(List.of(Jsoup.parseBodyFragment(declaredBody).body()));
        }
        return new ExtractedPage(title, text);
    }

    /** The headline is returned on its own; repeated as the first paragraph it would be said twice. */
    static String withoutLeadingTitle(String text, String title) {
        if (title.isEmpty()) {
            return text;
        }
        int end = text.indexOf("\n\n");
        String first = end < 0 ? text : text.substring(0, end);
        if (TitleResolver.normalise(first).toLowerCase(Locale.ROOT).equals(title.toLowerCase(Locale.ROOT))) {
            return end < 0 ? "" : text.substring(end + 2).strip();
        }
        return text;
    }
}
