package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.jsoup.nodes.Element;

/**
 * Removes what sits inside the article's element without being part of its text: containers made mostly of
 * links ("related stories" lists, link grids) and paragraphs or headings that are a link with at most a short
 * label ("Also on …", a teaser headline). A paragraph with a link in it stays as long as it says something
 * besides the link ("The suspect was convicted and <a>sentenced to life</a>"). Quoted posts keep their
 * links: a block quote is never judged.
 */
final class ContentCleaner {

    private static final Set<String> CONTAINERS = Set.of("div", "section", "ul", "ol", "dl", "table", "center");
    private static final Set<String> LINES = Set.of("p", "h1", "h2", "h3", "h4", "h5", "h6");
    private static final double MAX_LINK_DENSITY = 0.5;
    /** Text besides its links that makes a line more than a link with a label. */
    private static final int MAX_LABEL_CHARS = 25;

    private ContentCleaner() {
    }

    /** Cleans the chosen elements in place. */
    static void clean(List<Element> content) {
        for (Element part : content) {
            TextStatistics stats = TextStatistics.compute(part);
            Deque<Element> pending = new ArrayDeque<>(part.children());
            while (!pending.isEmpty()) {
                Element element = pending.pop();
                String name = element.normalName();
                if ("blockquote".equals(name)) {
                    continue;
                }
                TextStatistics.Counts counts = stats.of(element);
                boolean linkHeavy = counts.chars() > 0 && counts.linkDensity() > MAX_LINK_DENSITY;
                if (linkHeavy && (CONTAINERS.contains(name)
                        || LINES.contains(name) && counts.chars() - counts.linkChars() < MAX_LABEL_CHARS)) {
                    element.remove();
                    continue;
                }
                pending.addAll(element.children());
            }
        }
    }
}
