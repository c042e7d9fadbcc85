package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.nodes.Element;

/**
 * Removes share buttons and tag lists, recognised by where their links go rather than by what they are
 * called: a link to a share endpoint ({@code whatsapp:}, {@code facebook.com/sharer}, {@code twitter.com/intent},
 * …) or to a tag page ({@code rel="tag"}, a {@code /tag/} path). With each link goes the widget around it, up to
 * the largest ancestor that holds nothing else but a short label ("Share this", "Tags:"); a link with more text
 * around it than that is part of a sentence and stays.
 */
final class LinkWidgets {

    /** Text besides the links that a widget may have: a label, separators. */
    private static final int MAX_LABEL_CHARS = 25;

    private static final List<String> SHARE_SCHEMES = List.of(
            "whatsapp:", "sms:", "tg:", "viber:", "fb-messenger:");

    private static final List<String> SHARE_ENDPOINTS = List.of(
            "facebook.com/sharer", "facebook.com/share.php", "facebook.com/dialog/share", "twitter.com/intent",
            "twitter.com/share", "x.com/intent", "linkedin.com/share", "linkedin.com/cws/share",
            "pinterest.com/pin/create", "reddit.com/submit", "tumblr.com/share", "telegram.me/share", "t.me/share",
            "api.whatsapp.com/send", "wa.me/?", "addthis.com/bookmark", "vk.com/share", "plus.google.com/share",
            "getpocket.com/save", "news.ycombinator.com/submitlink", "flipboard.com/bookmarklet",
            "mix.com/add", "/sharer.php", "/share.php");

    private LinkWidgets() {
    }

    static void remove(Element body) {
        List<Element> inOrder = new ArrayList<>();
        for (Element link : body.getElementsByTag("a")) {
            if (isShareLink(link) || isTagLink(link)) {
                inOrder.add(link);
            }
        }
        Set<Element> widgetLinks = Collections.newSetFromMap(new IdentityHashMap<>());
        widgetLinks.addAll(inOrder);
        for (Element link : inOrder) {
            if (link.parent() == null) {
                continue; // went with an earlier widget
            }
            Element widget = null;
            for (Element parent = link.parent(); parent != null && parent != body; parent = parent.parent()) {
                if (chars(parent) - widgetChars(parent, widgetLinks) > MAX_LABEL_CHARS) {
                    break;
                }
                widget = parent;
            }
            // A link inside a sentence ("… said <a href=/tag/nasa>NASA</a> …") is text, whatever it links to.
            if (widget != null) {
                widget.remove();
            }
        }
    }

    static boolean isShareLink(Element link) {
        String href = link.attr("href").strip().toLowerCase(Locale.ROOT);
        if (href.startsWith("mailto:")) {
            return href.contains("subject=") || href.contains("body=");
        }
        for (String scheme : SHARE_SCHEMES) {
            if (href.startsWith(scheme)) {
                return true;
            }
        }
        for (String endpoint : SHARE_ENDPOINTS) {
            if (href.contains(endpoint)) {
                return true;
            }
        }
        return false;
    }

    static boolean isTagLink(Element link) {
        for (String rel : link.attr("rel").toLowerCase(Locale.ROOT).split("\\s+")) {
            if (rel.equals("tag")) {
                return true;
            }
        }
        String href = link.attr("href").toLowerCase(Locale.ROOT);
        return href.contains("/tag/") || href.contains("/tags/");
    }

    private static int widgetChars(Element element, Set<Element> widgetLinks) {
        int chars = 0;
        for (Element link : element.getElementsByTag("a")) {
            if (widgetLinks.contains(link)) {
                chars += chars(link);
            }
        }
        return chars;
    }

    private static int chars(Element element) {
        return TextStatistics.visibleChars(element.text());
    }
}
