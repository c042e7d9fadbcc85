package io.rewoo4j.tools.knowledge;

import java.util.ArrayList;
import java.util.List;

/** Cuts text into chunks of at most a given size, at paragraph, then line, sentence and word boundaries. */
final class Chunker {

    private Chunker() {
    }

    static List<String> chunks(String text, int maxChars) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String paragraph : text.strip().split("\\n\\s*\\n")) {
            for (String piece : split(paragraph.strip(), maxChars)) {
                if (current.length() > 0 && current.length() + 2 + piece.length() > maxChars) {
                    out.add(current.toString());
                    current.setLength(0);
                }
                if (current.length() > 0) {
                    current.append("\n\n");
                }
                current.append(piece);
            }
        }
        if (current.length() > 0) {
            out.add(current.toString());
        }
        return out;
    }

    /** A paragraph as pieces of at most {@code maxChars}, cut at the last line end, sentence end or space. */
    private static List<String> split(String paragraph, int maxChars) {
        List<String> pieces = new ArrayList<>();
        String rest = paragraph;
        while (rest.length() > maxChars) {
            int cut = lastBreak(rest, maxChars);
            pieces.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) {
            pieces.add(rest);
        }
        return pieces;
    }

    private static int lastBreak(String text, int maxChars) {
        int floor = maxChars / 2;
        int newline = text.lastIndexOf('\n', maxChars);
        if (newline >= floor) {
            return newline + 1;
        }
        for (int i = maxChars - 1; i >= floor; i--) {
            char c = text.charAt(i);
            if ((c == '.' || c == '!' || c == '?') && i + 1 < text.length() && Character.isWhitespace(text.charAt(i + 1))) {
                return i + 1;
            }
        }
        int space = text.lastIndexOf(' ', maxChars);
        return space >= floor ? space + 1 : maxChars;
    }
}
