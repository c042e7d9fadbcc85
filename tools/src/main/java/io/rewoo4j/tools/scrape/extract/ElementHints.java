package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.nodes.Element;

/**
 * What an element's {@code class}, {@code id} and {@code role} say about it. Names are split into words
 * ({@code "relatedPosts"} and {@code "related-posts"} both give {@code related}, {@code posts}) and matched word by
 * word, so that {@code "shadow"} is not taken for {@code "ad"} nor {@code "masthead"} for {@code "head"}.
 */
final class ElementHints {

    /**
     * Words naming page furniture — navigation, ads, sharing, comments, related links, consent banners — and
     * the media around an article: galleries and the captions and credits of its pictures.
     */
    private static final Set<String> BOILERPLATE_WORDS = Set.of(
            "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adsense", "adslot", "adunit",
            "dfp", "gpt", "nav", "navbar", "navigation", "menu", "menus", "submenu", "megamenu", "sidebar",
            "breadcrumb", "breadcrumbs", "footer", "masthead", "share", "sharing", "sharer", "shares", "social",
            "comment", "comments", "disqus", "related", "recommended", "recommendations", "newsletter",
            "subscribe", "subscription", "signup", "cookie", "cookies", "consent", "gdpr", "popup", "modal",
            "banner", "promo", "promos", "sponsor", "sponsored", "outbrain", "taboola", "pagination", "pager",
            "prev", "previous", "pagenav", "postnav", "toolbar", "widget", "widgets", "trending", "popular", "tags",
            "tagcloud", "paywall", "login", "skip", "noprint", "caption", "captions", "credit", "credits",
            "gallery", "slideshow", "carousel", "lightbox");

    /** Word beginnings that name page furniture whatever follows ({@code sharedaddy}, {@code commentlist}). */
    private static final List<String> BOILERPLATE_PREFIXES = List.of(
            "comment", "share", "social", "related", "sidebar", "newsletter", "subscri", "cookie", "consent",
            "advert", "sponsor", "promo", "breadcrumb", "paginat", "outbrain", "taboola", "disqus", "popup",
            "footer", "navbar", "widget", "recommend", "adsby", "adslot", "adunit", "adwrap", "caption", "slideshow",
            "carousel");

    /** ARIA landmark roles of furniture. */
    private static final Set<String> BOILERPLATE_ROLES = Set.of(
            "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu",
            "menubar", "toolbar", "tablist");

    /** Words naming the article itself. */
    private static final Set<String> CONTENT_WORDS = Set.of(
            "article", "articles", "body", "content", "contents", "entry", "main", "post", "story", "text",
            "blog", "prose", "articlebody", "postbody", "storybody", "richtext", "single");

    /** Words naming things near the article that are not its text: bylines, teasers, tools. */
    private static final Set<String> NON_CONTENT_WORDS = Set.of(
            "meta", "byline", "author", "date", "dateline", "time", "teaser", "card", "cards", "more", "extra",
            "aside", "photo", "thumb", "thumbnail", "video", "tool", "tools", "button", "btn", "icon", "rating",
            "contact", "legal", "copyright", "header", "hidden", "hide", "print", "email", "follow", "list",
            "links", "feed", "rail");

    private ElementHints() {
    }

    /** Whether the element's names or role say it is page furniture rather than content. */
    static boolean isBoilerplate(Element element) {
        String role = element.attr("role").toLowerCase(Locale.ROOT).strip();
        if (BOILERPLATE_ROLES.contains(role)) {
            return true;
        }
        List<String> words = words(element);
        if (words.contains("embed") || words.contains("embedded")) {
            return false; // an embedded post quoted by the article ("social-media-embed"), not a share bar
        }
        for (String word : words) {
            if (BOILERPLATE_WORDS.contains(word)) {
                return true;
            }
            for (String prefix : BOILERPLATE_PREFIXES) {
                if (word.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A score adjustment from the element's names: positive for names of article content, negative for
     * furniture and for the bits around an article (bylines, captions, teasers).
     */
    static double weight(Element element) {
        double weight = 0;
        boolean content = false;
        boolean nonContent = false;
        boolean boilerplate = false;
        for (String word : words(element)) {
            content |= CONTENT_WORDS.contains(word);
            nonContent |= NON_CONTENT_WORDS.contains(word);
            boilerplate |= BOILERPLATE_WORDS.contains(word);
        }
        if (content) {
            weight += 25;
        }
        if (boilerplate) {
            weight -= 25;
        } else if (nonContent) {
            weight -= 15;
        }
        if ("articleBody".equalsIgnoreCase(element.attr("itemprop"))) {
            weight += 40;
        }
        return weight;
    }

    /** The lower-case words of the element's class and id. */
    static List<String> words(Element element) {
        List<String> words = new ArrayList<>();
        split(element.className(), words);
        split(element.id(), words);
        return words;
    }

    /** Splits at every non-alphanumeric character and at lower-to-upper case changes ({@code relatedPosts}). */
    private static void split(String name, List<String> into) {
        StringBuilder word = new StringBuilder();
        char previous = ' ';
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphanumeric = c < 128 && Character.isLetterOrDigit(c);
            boolean camelBoundary = Character.isUpperCase(c) && Character.isLowerCase(previous);
            if ((!alphanumeric || camelBoundary) && word.length() > 0) {
                into.add(word.toString().toLowerCase(Locale.ROOT));
                word.setLength(0);
            }
            if (alphanumeric) {
                word.append(c);
            }
            previous = c;
        }
        if (word.length() > 0) {
            into.add(word.toString().toLowerCase(Locale.ROOT));
        }
    }
}
