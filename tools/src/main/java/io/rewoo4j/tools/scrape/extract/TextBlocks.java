package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The paragraphs of a tree as a reader sees them: runs of inline content between block boundaries. A
 * {@code <p>} is one block; so is a {@code <div>} holding only text, and so is each stretch of text between
 * the block children of a {@code <div>} that mixes both, which is how many hand-written pages lay out prose
 * ({@code text<br><br>text<div class=ad>…</div>text}).
 */
final class TextBlocks {

    /**
     * One block of text.
     *
     * @param container the element whose children make up the block
     * @param whole     whether the block is all of {@code container} (a paragraph element) rather than part of it
     * @param chars     visible characters
     * @param linkChars visible characters inside links
     * @param commas    commas
     * @param sentences sentence ends: full stops, question and exclamation marks followed by a space or the end
     */
    record Block(Element container, boolean whole, int chars, int linkChars, int commas, int sentences) {

        double linkDensity() {
            return chars == 0 ? 0 : (double) linkChars / chars;
        }

        /** The element a reader would call the paragraph's parent. */
        Element parent() {
            return whole ? container.parent() : container;
        }
    }

    private TextBlocks() {
    }

    /** All blocks under {@code root}, white-space-only stretches left out, outer elements before inner ones. */
    static List<Block> collect(Element root) {
        Set<Element> holdsBlocks = elementsHoldingBlocks(root);
        List<Block> blocks = new ArrayList<>();
        Deque<Element> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Element element = pending.pop();
            RunCounter run = new RunCounter();
            List<Element> nested = new ArrayList<>();
            for (Node child : element.childNodes()) {
                if (child instanceof Element childElement
                        && (HtmlTags.isBlock(childElement) || holdsBlocks.contains(childElement))) {
                    run.flushInto(element, false, blocks);
                    nested.add(childElement);
                } else {
                    run.add(child);
                }
            }
            run.flushInto(element, nested.isEmpty(), blocks);
            for (int i = nested.size() - 1; i >= 0; i--) {
                pending.push(nested.get(i));
            }
        }
        return blocks;
    }

    /**
     * The elements with a block element somewhere inside (an inline link wrapping a whole teaser card, say),
     * found in one pass from the leaves up.
     */
    private static Set<Element> elementsHoldingBlocks(Element root) {
        Set<Element> holding = Collections.newSetFromMap(new IdentityHashMap<>());
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element) {
                    for (Element child : element.children()) {
                        if (HtmlTags.isBlock(child) || holding.contains(child)) {
                            holding.add(element);
                            return;
                        }
                    }
                }
            }
        }, root);
        return holding;
    }

    /** Accumulates the counts of one run of inline nodes. */
    private static final class RunCounter implements NodeFilter {
        private int chars;
        private int linkChars;
        private int commas;
        private int sentences;
        private boolean afterSentenceMark;
        private int openLinks;

        void add(Node node) {
            openLinks = 0;
            NodeTraversor.filter(this, node);
        }

        @Override
        public FilterResult head(Node node, int depth) {
            if (node instanceof TextNode text) {
                count(text.getWholeText());
            } else if (node instanceof Element element) {
                if (HtmlTags.NON_TEXT.contains(element.normalName())) {
                    return FilterResult.SKIP_ENTIRELY;
                }
                if ("a".equals(element.normalName())) {
                    openLinks++;
                }
            }
            return FilterResult.CONTINUE;
        }

        @Override
        public FilterResult tail(Node node, int depth) {
            if (node instanceof Element element && "a".equals(element.normalName())) {
                openLinks--;
            }
            return FilterResult.CONTINUE;
        }

        private void count(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                boolean space = TextStatistics.isSpace(c);
                if (afterSentenceMark && space) {
                    sentences++;
                }
                afterSentenceMark = c == '.' || c == '?' || c == '!' || c == '\u3002' || c == '\uFF01'
                        || c == '\uFF1F';
                if (!space) {
                    chars++;
                    if (openLinks > 0) {
                        linkChars++;
                    }
                }
                if (TextStatistics.isComma(c)) {
                    commas++;
                }
            }
        }

        void flushInto(Element container, boolean whole, List<Block> blocks) {
            if (afterSentenceMark) {
                sentences++;
            }
            if (chars > 0) {
                blocks.add(new Block(container, whole, chars, linkChars, commas, sentences));
            }
            chars = 0;
            linkChars = 0;
            commas = 0;
            sentences = 0;
            afterSentenceMark = false;
        }
    }
}
