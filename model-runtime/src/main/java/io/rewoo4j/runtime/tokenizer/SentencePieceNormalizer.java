package io.rewoo4j.runtime.tokenizer;

import java.util.List;

/**
 * SentencePiece's normalizer for models whose normalization rule is {@code identity} (no character map):
 * what is left is whitespace handling — the dummy-prefix space, optional collapsing of extra spaces, and the
 * escape of {@code ' '} to {@code '▁'} (U+2581). Only U+0020 counts as whitespace here, as in sentencepiece;
 * tabs and newlines pass through unchanged.
 *
 * @param addDummyPrefix whether a space is put before non-empty text ({@code normalizer_spec.add_dummy_prefix})
 * @param removeExtraWhitespaces whether leading and trailing spaces are dropped and runs collapsed to one
 * @param escapeWhitespaces whether spaces become {@code ▁}
 * @param treatWhitespaceAsSuffix whether the dummy space goes after the text instead of before it
 */
record SentencePieceNormalizer(
        boolean addDummyPrefix,
        boolean removeExtraWhitespaces,
        boolean escapeWhitespaces,
        boolean treatWhitespaceAsSuffix) {

    static final char SPACE_SYMBOL = '\u2581';

    /**
     * Normalizes {@code text}; the result's code points are the encoder's initial symbols. Lone surrogates,
     * which cannot be UTF-8 encoded, become U+FFFD as sentencepiece does for malformed UTF-8.
     *
     * @param userDefined pieces kept whole (only matters for space handling inside them)
     */
    String normalize(String text, List<String> userDefined) {
        int n = text.length();
        int i = 0;
        if (removeExtraWhitespaces) {
            while (i < n && text.charAt(i) == ' ' && matchUserDefined(text, i, userDefined) <= 1) {
                i++;
            }
        }
        if (i >= n) {
            return "";
        }
        char ws = escapeWhitespaces ? SPACE_SYMBOL : ' ';
        StringBuilder out = new StringBuilder(n + 8);
        if (!treatWhitespaceAsSuffix && addDummyPrefix) {
            out.append(ws);
        }
        boolean previousIsSpace = removeExtraWhitespaces;
        while (i < n) {
            int length = matchUserDefined(text, i, userDefined);
            String unit;
            if (length > 0) {
                unit = text.substring(i, i + length);
            } else {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    length = 2;
                    unit = text.substring(i, i + 2);
                } else {
                    length = 1;
                    unit = Character.isSurrogate(c) ? "\uFFFD" : String.valueOf(c);
                }
            }
            int from = 0;
            while (previousIsSpace && from < unit.length() && unit.charAt(from) == ' ') {
                from++;
            }
            if (from < unit.length()) {
                for (int k = from; k < unit.length(); k++) {
                    char c = unit.charAt(k);
                    out.append(c == ' ' ? ws : c);
                }
                previousIsSpace = unit.charAt(unit.length() - 1) == ' ';
            }
            i += length;
            if (!removeExtraWhitespaces) {
                previousIsSpace = false;
            }
        }
        if (removeExtraWhitespaces) {
            int end = out.length();
            while (end > 0 && out.charAt(end - 1) == ws) {
                end--;
            }
            out.setLength(end);
        }
        if (treatWhitespaceAsSuffix && addDummyPrefix) {
            out.append(ws);
        }
        return out.toString();
    }

    /** Length of the longest user-defined piece at {@code text[i..]}, or 0. */
    static int matchUserDefined(CharSequence text, int i, List<String> userDefined) {
        int best = 0;
        for (String piece : userDefined) {
            int length = piece.length();
            if (length > best && i + length <= text.length() && regionMatches(text, i, piece)) {
                best = length;
            }
        }
        return best;
    }

    private static boolean regionMatches(CharSequence text, int i, String piece) {
        for (int k = 0; k < piece.length(); k++) {
            if (text.charAt(i + k) != piece.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
