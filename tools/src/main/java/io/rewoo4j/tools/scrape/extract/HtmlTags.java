package io.rewoo4j.tools.scrape.extract;

import java.util.Set;
import org.jsoup.nodes.Element;

/** The tag groups the extractor reasons with. */
final class HtmlTags {

    /** Tags that start a new block of text; everything else (known or not) flows inline. */
    static final Set<String> BLOCKS = Set.of(
            "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
            "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1", "h2",
            "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol",
            "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul");

    static final Set<String> HEADINGS = Set.of("h1", "h2", "h3", "h4", "h5", "h6");

    /** Elements that never hold readable text of the page. */
    static final Set<String> NON_TEXT = Set.of(
            "script", "style", "noscript", "template", "iframe", "frame", "object", "embed", "applet", "svg",
            "math", "canvas", "video", "audio", "source", "track", "picture", "map", "area", "button", "input",
            "select", "option", "optgroup", "datalist", "textarea", "dialog", "link", "meta", "base", "head",
            "title", "param", "progress", "meter");

    /** Landmarks and forms that hold site furniture rather than the article, and pictures with their captions. */
    static final Set<String> FURNITURE = Set.of(
            "nav", "aside", "footer", "header", "menu", "form", "figure", "figcaption");

    private HtmlTags() {
    }

    static boolean isBlock(Element element) {
        return BLOCKS.contains(element.normalName());
    }

    static boolean isHeading(Element element) {
        return HEADINGS.contains(element.normalName());
    }
}
