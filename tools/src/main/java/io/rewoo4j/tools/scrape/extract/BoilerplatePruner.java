package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jsoup.nodes.Element;

/**
 * Removes what is never main content before anything is scored: elements without readable text (scripts,
 * styles, embeds, form controls), hidden elements, landmark furniture ({@code nav}, {@code aside},
 * {@code footer}, {@code header}, forms, figures), share and tag links ({@link LinkWidgets}), microdata of dates
 * and bylines, and elements whose names or role say they are furniture (menus, ads, share bars, comments,
 * related links, cookie banners, captions).
 *
 * <p>Names lie now and then: a wrapper called {@code "page-with-sidebar"} or a {@code <form>} around a whole
 * ASP.NET page holds the article too. So an element is never removed for its name or landmark when it holds a
 * large share of the page's prose, or the headline together with some prose, or the element marked
 * {@code itemprop="articleBody"}.
 */
final class BoilerplatePruner {

    /** Prose is text in blocks at least this long with few links: what articles are made of. */
    static final int PROSE_BLOCK_CHARS = 80;
    private static final double PROSE_MAX_LINK_DENSITY = 0.3;
    /** An element holding this share of the page's prose is content, whatever it is called. */
    private static final double PROTECTED_PROSE_SHARE = 0.4;
    /** Hidden elements are dropped as long as this share of the page's prose stays visible. */
    private static final double VISIBLE_PROSE_SHARE = 0.2;
    /** Prose that turns an element holding the headline from a page header into the article's wrapper. */
    private static final int HEADLINE_WRAPPER_PROSE = 300;

    /** Microdata properties of the article's metadata shown on the page: dates, bylines, keywords. */
    private static final Set<String> METADATA_ITEMPROPS = Set.of(
            "datePublished", "dateModified", "dateCreated", "author", "creator", "publisher", "keywords");

    private static final Set<String> HIDING_CLASSES = Set.of(
            "hidden", "is-hidden", "u-hidden", "hide", "d-none", "invisible", "sr-only", "visually-hidden",
            "visuallyhidden", "screen-reader-text", "screenreader-only", "offscreen", "element-invisible");

    private BoilerplatePruner() {
    }

    /** Prunes {@code body} in place; {@code headline} is the heading showing the page's title, or null. */
    static void prune(Element body, Element headline) {
        for (Element element : body.getAllElements()) {
            if (element != body && HtmlTags.NON_TEXT.contains(element.normalName()) && element.parent() != null) {
                element.remove();
            }
        }
        removeHidden(body);
        LinkWidgets.remove(body);
        Map<Element, Integer> prose = proseByElement(body, PROSE_MAX_LINK_DENSITY);
        int pageProse = prose.getOrDefault(body, 0);
        Deque<Element> pending = new ArrayDeque<>(body.children());
        while (!pending.isEmpty()) {
            Element element = pending.pop();
            if (isFurniture(element) && !isProtected(element, headline, prose.getOrDefault(element, 0), pageProse)) {
                element.remove();
                continue;
            }
            List<Element> children = element.children();
            for (int i = children.size() - 1; i >= 0; i--) {
                pending.push(children.get(i));
            }
        }
    }

    /**
     * Removes hidden elements — unless nearly all the page's prose is hidden, as on pages that reveal their
     * article with a script: then the hidden text is the article.
     */
    private static void removeHidden(Element body) {
        List<Element> hidden = new ArrayList<>();
        Deque<Element> pending = new ArrayDeque<>(body.children());
        while (!pending.isEmpty()) {
            Element element = pending.pop();
            if (isHidden(element)) {
                hidden.add(element);
            } else {
                pending.addAll(element.children());
            }
        }
        if (hidden.isEmpty()) {
            return;
        }
        // Links count here: a visible article may well be a list of linked items.
        Map<Element, Integer> prose = proseByElement(body, 1);
        int pageProse = prose.getOrDefault(body, 0);
        int hiddenProse = hidden.stream().mapToInt(element -> prose.getOrDefault(element, 0)).sum();
        if (pageProse - hiddenProse >= VISIBLE_PROSE_SHARE * pageProse) {
            hidden.forEach(Element::remove);
        }
    }

    private static boolean isFurniture(Element element) {
        return METADATA_ITEMPROPS.contains(element.attr("itemprop"))
                || HtmlTags.FURNITURE.contains(element.normalName())
                || ElementHints.isBoilerplate(element);
    }

    private static boolean isProtected(Element element, Element headline, int elementProse, int pageProse) {
        if (pageProse > 0 && elementProse >= PROTECTED_PROSE_SHARE * pageProse) {
            return true;
        }
        if (headline != null && elementProse >= HEADLINE_WRAPPER_PROSE && headline.parents().contains(element)) {
            return true;
        }
        return "articleBody".equalsIgnoreCase(element.attr("itemprop"))
                || !element.select("[itemprop=articleBody]").isEmpty();
    }

    static boolean isHidden(Element element) {
        if (element.hasAttr("hidden") || "true".equalsIgnoreCase(element.attr("aria-hidden").strip())) {
            return true;
        }
        String style = element.attr("style");
        if (!style.isEmpty()) {
            String compact = style.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
            if (compact.contains("display:none") || compact.contains("visibility:hidden")) {
                return true;
            }
        }
        for (String name : element.classNames()) {
            if (HIDING_CLASSES.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** Characters of prose under each element. */
    static Map<Element, Integer> proseByElement(Element root, double maxLinkDensity) {
        return proseByElement(root, maxLinkDensity, block -> true);
    }

    /** Characters of prose under each element, counting only the blocks {@code counted} accepts. */
    static Map<Element, Integer> proseByElement(Element root, double maxLinkDensity,
                                                Predicate<TextBlocks.Block> counted) {
        Map<Element, Integer> prose = new IdentityHashMap<>();
        for (TextBlocks.Block block : TextBlocks.collect(root)) {
            if (block.chars() < PROSE_BLOCK_CHARS || block.linkDensity() > maxLinkDensity || !counted.test(block)) {
                continue;
            }
            for (Element element = block.container(); element != null; element = element.parent()) {
                prose.merge(element, block.chars(), Integer::sum);
                if (element == root) {
                    break;
                }
            }
        }
        return prose;
    }
}
