package io.rewoo4j.tools.scrape.extract;

import java.util.IdentityHashMap;
import java.util.Map;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * Counts over the text under every element of a tree, computed in one pass from the leaves up: visible
 * characters (white space not counted) and those of them inside links. Link density is what separates menus and
 * teaser lists from prose.
 */
final class TextStatistics {

    /** The counts for one element. */
    record Counts(int chars, int linkChars) {

        static final Counts NONE = new Counts(0, 0);

        double linkDensity() {
            return chars == 0 ? 0 : (double) linkChars / chars;
        }
    }

    private final Map<Element, Counts> counts;

    private TextStatistics(Map<Element, Counts> counts) {
        this.counts = counts;
    }

    static TextStatistics compute(Element root) {
        Map<Element, int[]> running = new IdentityHashMap<>();
        Map<Element, Counts> done = new IdentityHashMap<>();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof TextNode text) {
                    Element parent = text.parent();
                    if (parent != null) {
                        running.computeIfAbsent(parent, key -> new int[2])[0] += visibleChars(text.getWholeText());
                    }
                } else if (node instanceof Element element) {
                    int[] sums = running.remove(element);
                    Counts own = sums == null ? Counts.NONE
                            : new Counts(sums[0], "a".equals(element.normalName()) ? sums[0] : sums[1]);
                    done.put(element, own);
                    if (element != root && element.parent() != null) {
                        int[] parent = running.computeIfAbsent(element.parent(), key -> new int[2]);
                        parent[0] += own.chars();
                        parent[1] += own.linkChars();
                    }
                }
            }
        }, root);
        return new TextStatistics(done);
    }

    Counts of(Element element) {
        return counts.getOrDefault(element, Counts.NONE);
    }

    static int visibleChars(String text) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            if (!isSpace(text.charAt(i))) {
                count++;
            }
        }
        return count;
    }

    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** Latin, CJK, Arabic and ideographic commas. */
    static boolean isComma(char c) {
        return c == ',' || c == '\uFF0C' || c == '\u3001' || c == '\u060C';
    }
}
