package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Picks the page's headline. The visible {@code <h1>} is preferred when the metadata agrees with it (it is what
 * a reader sees, while {@code <title>} usually carries the site's name too); otherwise the metadata headline;
 * otherwise {@code <title>} without its site-name part; otherwise the first {@code <h1>}.
 */
final class TitleResolver {

    /** How titles glue the site name on: "Headline | Site", "Site - Headline", "Headline » Section". */
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    private static final Pattern SITE_SEPARATOR = Pattern.compile("\\s+[|\\-–—»:·•]{1,2}\\s+");

    private TitleResolver() {
    }

    static String resolve(Document document, ArticleMetadata metadata) {
        String documentTitle = normalise(document.title());
        String siteName = normalise(metadata.siteName());
        String declared = !metadata.headline().isEmpty() ? normalise(metadata.headline())
                : withoutPart(normalise(metadata.socialTitle()), siteName);
        String titleHeadline = withoutSiteName(documentTitle, siteName);
        String firstHeading = "";
        for (Element heading : document.body().getElementsByTag("h1")) {
            String text = normalise(heading.text());
            if (text.isEmpty() || words(text).equals(words(siteName))) {
                continue; // the site's logo
            }
            if (firstHeading.isEmpty()) {
                firstHeading = text;
            }
            if (agrees(text, declared) || agrees(text, titleHeadline)) {
                return text;
            }
        }
        if (!declared.isEmpty()) {
            return declared;
        }
        return titleHeadline.isEmpty() ? firstHeading : titleHeadline;
    }

    /** The heading that shows the title on the page, or null. */
    static Element headline(Element body, String title) {
        if (title.isEmpty()) {
            return null;
        }
        for (Element heading : body.select("h1, h2")) {
            if (agrees(normalise(heading.text()), title)) {
                return heading;
            }
        }
        return null;
    }

    /**
     * Whether a heading is the same title as another, or the headline part of it ("Headline | Site"), compared
     * word by word so that punctuation ("…" for "...") and case do not matter.
     */
    static boolean agrees(String heading, String title) {
        List<String> a = words(heading);
        List<String> b = words(title);
        if (a.isEmpty() || b.isEmpty()) {
            return false;
        }
        if (a.size() <= b.size()) {
            return Collections.indexOfSubList(b, a) >= 0 && a.size() * 3 >= b.size();
        }
        return Collections.indexOfSubList(a, b) >= 0 && b.size() * 2 >= a.size();
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Matcher matcher = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (matcher.find()) {
            words.add(matcher.group());
        }
        return words;
    }

    /**
     * A {@code <title>} without the site's name: without the part that is the known site name, else its
     * longest part when that is a real headline (three words or more), else the whole title.
     */
    static String withoutSiteName(String title, String siteName) {
        String[] parts = SITE_SEPARATOR.split(title);
        if (parts.length < 2) {
            return title;
        }
        String withoutKnownName = withoutPart(title, siteName);
        if (!withoutKnownName.equals(title)) {
            return withoutKnownName;
        }
        String longest = "";
        for (String part : parts) {
            if (part.strip().length() > longest.length()) {
                longest = part.strip();
            }
        }
        // A short leftover ("Home", "News") is a section name, not a headline.
        return words(longest).size() >= 3 ? longest : title;
    }

    /** The title without its parts that are {@code part} (the site's name); the title itself if none is. */
    static String withoutPart(String title, String part) {
        if (part.isEmpty()) {
            return title;
        }
        List<String> kept = new ArrayList<>();
        for (String piece : SITE_SEPARATOR.split(title)) {
            if (!words(piece).equals(words(part))) {
                kept.add(piece.strip());
            }
        }
        return kept.isEmpty() || kept.size() == SITE_SEPARATOR.split(title).length ? title : String.join(" - ", kept);
    }

    static String normalise(String text) {
        return text.replace('\u00A0', ' ').replaceAll("\\s+", " ").strip();
    }
}
