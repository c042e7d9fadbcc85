package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * Writes elements as readable plain text: blocks separated by a blank line, white space collapsed (kept in
 * {@code <pre>}), list items one per line with a bullet ({@code "• "}, or {@code "1. "} in ordered lists,
 * indented two spaces per nesting level), data-table rows one per line with cells separated by {@code " | "},
 * block quotes prefixed with {@code "> "}. Tables used for page layout are written as ordinary blocks.
 */
final class PlainTextRenderer {

    static final String BULLET = "• ";
    static final String CELL_SEPARATOR = " | ";
    /** A cell longer than this is page layout, not data. */
    private static final int MAX_DATA_CELL_CHARS = 400;

    private final TextSink sink = new TextSink();
    private final Deque<ListLevel> lists = new ArrayDeque<>();
    private final boolean singleLine;
    private int quoteDepth;
    private int preDepth;

    private PlainTextRenderer(boolean singleLine) {
        this.singleLine = singleLine;
    }

    /** The text of the given elements, in order, each starting a new block. */
    static String render(List<Element> elements) {
        PlainTextRenderer renderer = new PlainTextRenderer(false);
        for (Element element : elements) {
            renderer.sink.requestBreak(2);
            NodeTraversor.filter(renderer.new Writer(), element);
            renderer.sink.requestBreak(2);
        }
        return renderer.sink.finish();
    }

    /** The text of an element's content on one line: every block boundary becomes a space. */
    static String renderInline(Element element) {
        PlainTextRenderer renderer = new PlainTextRenderer(true);
        for (Node child : element.childNodes()) {
            NodeTraversor.filter(renderer.new Writer(), child);
        }
        return renderer.sink.finish();
    }

    /**
     * Walks the tree without recursion (pages nest elements thousands deep), writing on the way into an
     * element what opens it and on the way out what closes it.
     */
    private final class Writer implements NodeFilter {

        @Override
        public FilterResult head(Node node, int depth) {
            if (node instanceof TextNode text) {
                text(text);
                return FilterResult.CONTINUE;
            }
            if (!(node instanceof Element element)) {
                return FilterResult.SKIP_ENTIRELY; // comments, doctypes, script data
            }
            String name = element.normalName();
            if (HtmlTags.NON_TEXT.contains(name)) {
                return FilterResult.SKIP_ENTIRELY;
            }
            if (singleLine) {
                if (HtmlTags.isBlock(element) || "br".equals(name)) {
                    sink.requestSpace();
                }
                return FilterResult.CONTINUE;
            }
            switch (name) {
                case "br" -> sink.lineBreak();
                case "hr" -> sink.requestBreak(2);
                case "pre" -> {
                    sink.requestBreak(2);
                    preDepth++;
                }
                case "blockquote" -> {
                    sink.requestBreak(2);
                    quoteDepth++;
                }
                case "ul", "ol", "menu", "dir" -> openList(element, "ol".equals(name));
                case "li" -> openListItem(element);
                case "dt", "dd" -> sink.requestBreak(1);
                case "table" -> {
                    if (isDataTable(element)) {
                        dataTable(element);
                        return FilterResult.SKIP_ENTIRELY;
                    }
                    blockBoundary();
                }
                default -> {
                    if (HtmlTags.isBlock(element)) {
                        blockBoundary();
                    }
                }
            }
            return FilterResult.CONTINUE;
        }

        @Override
        public FilterResult tail(Node node, int depth) {
            if (!(node instanceof Element element)) {
                return FilterResult.CONTINUE;
            }
            String name = element.normalName();
            if (singleLine) {
                if (HtmlTags.isBlock(element)) {
                    sink.requestSpace();
                }
                return FilterResult.CONTINUE;
            }
            switch (name) {
                case "pre" -> {
                    preDepth--;
                    sink.requestBreak(2);
                }
                case "blockquote" -> {
                    quoteDepth--;
                    sink.requestBreak(2);
                }
                case "ul", "ol", "menu", "dir" -> {
                    lists.pop();
                    sink.requestBreak(lists.isEmpty() ? 2 : 1);
                }
                case "li" -> {
                    if (lists.isEmpty()) {
                        blockBoundary();
                    } else {
                        sink.marker("");
                        sink.requestBreak(1);
                    }
                }
                case "dt", "dd" -> sink.requestBreak(1);
                default -> {
                    if (HtmlTags.isBlock(element)) {
                        blockBoundary();
                    }
                }
            }
            return FilterResult.CONTINUE;
        }
    }

    /** Inside a list item, blocks stay on the item's line; elsewhere they are paragraphs. */
    private void blockBoundary() {
        if (lists.isEmpty()) {
            sink.requestBreak(2);
        } else {
            sink.requestSpace();
        }
    }

    private void openList(Element list, boolean ordered) {
        sink.requestBreak(lists.isEmpty() ? 2 : 1);
        int start = 1;
        if (ordered) {
            try {
                start = Integer.parseInt(list.attr("start").strip());
            } catch (NumberFormatException e) {
                start = 1; // no or a malformed start attribute: count from one, as browsers do
            }
        }
        lists.push(new ListLevel(ordered, start));
    }

    private void openListItem(Element item) {
        ListLevel level = lists.peek();
        if (level == null) {
            blockBoundary();
            return;
        }
        sink.requestBreak(1);
        String indent = "  ".repeat(lists.size() - 1);
        sink.marker(indent + (level.ordered ? (level.next++) + ". " : BULLET));
    }

    private void dataTable(Element table) {
        sink.requestBreak(2);
        for (Element caption : table.getElementsByTag("caption")) {
            line(renderInline(caption));
        }
        for (Element row : table.getElementsByTag("tr")) {
            List<String> cells = new ArrayList<>();
            boolean any = false;
            for (Element cell : row.children()) {
                if ("td".equals(cell.normalName()) || "th".equals(cell.normalName())) {
                    String text = renderInline(cell);
                    any |= !text.isEmpty();
                    cells.add(text);
                }
            }
            if (any) {
                line(String.join(CELL_SEPARATOR, cells));
            }
        }
        sink.requestBreak(2);
    }

    private void line(String text) {
        sink.requestBreak(1);
        sink.text(text, linePrefix());
        sink.requestBreak(1);
    }

    /** A table of data rather than layout: no nested tables and no cell holding a page's worth of text. */
    static boolean isDataTable(Element table) {
        if ("presentation".equalsIgnoreCase(table.attr("role"))
                || !table.getElementsByTag("table").stream().allMatch(t -> t == table)) {
            return false;
        }
        for (Element cell : table.select("td, th")) {
            if (cell.text().length() > MAX_DATA_CELL_CHARS) {
                return false;
            }
        }
        return true;
    }

    private void text(TextNode node) {
        String raw = node.getWholeText();
        if (raw.isEmpty()) {
            return;
        }
        if (preDepth > 0 && !singleLine) {
            preformatted(raw);
            return;
        }
        if (TextStatistics.isSpace(raw.charAt(0))) {
            sink.requestSpace();
        }
        String collapsed = collapseWhiteSpace(raw);
        if (!collapsed.isEmpty()) {
            sink.text(collapsed, linePrefix());
        }
        if (TextStatistics.isSpace(raw.charAt(raw.length() - 1))) {
            sink.requestSpace();
        }
    }

    /** The words of a text separated by single spaces, with no space at either end. */
    static String collapseWhiteSpace(String text) {
        StringBuilder collapsed = new StringBuilder(text.length());
        boolean gap = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (TextStatistics.isSpace(c)) {
                gap = true;
                continue;
            }
            if (gap && collapsed.length() > 0) {
                collapsed.append(' ');
            }
            gap = false;
            collapsed.append(c);
        }
        return collapsed.toString();
    }

    private void preformatted(String raw) {
        String[] lines = raw.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                sink.requestBreak(lines[i - 1].isBlank() && i > 1 ? 2 : 1);
            }
            String line = lines[i].stripTrailing();
            if (!line.isBlank()) {
                sink.text(line.replace('\t', ' '), linePrefix());
            }
        }
    }

    private String linePrefix() {
        return "> ".repeat(quoteDepth);
    }

    /** Numbering of one open list. */
    private static final class ListLevel {
        private final boolean ordered;
        private int next;

        ListLevel(boolean ordered, int start) {
            this.ordered = ordered;
            this.next = start;
        }
    }

    /**
     * Collects text, emitting line breaks and spaces lazily so that nothing is ever doubled: a break or space
     * is only written when text follows it, and the larger of two requested breaks wins.
     */
    private static final class TextSink {
        private final StringBuilder out = new StringBuilder();
        private int pendingBreak;
        private boolean pendingSpace;
        private boolean atLineStart = true;
        private String marker = "";

        void requestBreak(int newlines) {
            if (out.length() > 0) {
                pendingBreak = Math.max(pendingBreak, newlines);
            }
            pendingSpace = false;
        }

        /** A {@code <br>}: two in a row are how hand-written pages separate paragraphs. */
        void lineBreak() {
            if (out.length() > 0) {
                pendingBreak = pendingBreak >= 1 ? 2 : 1;
            }
            pendingSpace = false;
        }

        void requestSpace() {
            if (pendingBreak == 0) {
                pendingSpace = true;
            }
        }

        void marker(String marker) {
            this.marker = marker;
        }

        void text(String text, String linePrefix) {
            if (text.isEmpty()) {
                return;
            }
            if (pendingBreak > 0) {
                int end = out.length();
                while (end > 0 && out.charAt(end - 1) == ' ') {
                    end--;
                }
                out.setLength(end);
                out.append("\n".repeat(pendingBreak));
                pendingBreak = 0;
                atLineStart = true;
            }
            if (atLineStart) {
                out.append(linePrefix).append(marker);
                marker = "";
            } else if (pendingSpace) {
                out.append(' ');
            }
            pendingSpace = false;
            atLineStart = false;
            out.append(text);
        }

        String finish() {
            return out.toString().strip();
        }
    }
}
