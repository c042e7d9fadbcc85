package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The article-extraction-benchmark metric, reimplemented to give the same numbers as its {@code evaluate.py}:
 * texts are split into {@code \w+} tokens (Python's Unicode definition, case kept), compared as multisets of
 * 4-token shingles, and each page's TP/FP/FN is normalised by their sum so that long pages weigh no more than
 * short ones. Precision and recall are means over pages; F1 is computed from those two means.
 */
final class ShingleMetric {

    static final int SHINGLE_SIZE = 4;

    private ShingleMetric() {
    }

    /** One page's normalised counts: {@code tp + fp + fn == 1}, or all zero when both texts have no tokens. */
    record PageCounts(double tp, double fp, double fn) {

        /** As {@code precision_score}: a page with nothing missing and nothing extra scores 1. */
        double precision() {
            if (fp == 0 && fn == 0) {
                return 1;
            }
            return tp + fp == 0 ? 0 : tp / (tp + fp);
        }

        double recall() {
            if (fp == 0 && fn == 0) {
                return 1;
            }
            return tp + fn == 0 ? 0 : tp / (tp + fn);
        }

        double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
    }

    /** Means over pages, as {@code metrics_from_tp_fp_fns}. */
    record Summary(double precision, double recall, double f1) {
    }

    static PageCounts compare(String truth, String predicted) {
        Map<List<String>, Integer> expected = shingles(truth);
        Map<List<String>, Integer> actual = shingles(predicted);
        Set<List<String>> keys = new HashSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        double tp = 0;
        double fp = 0;
        double fn = 0;
        for (List<String> key : keys) {
            int t = expected.getOrDefault(key, 0);
            int p = actual.getOrDefault(key, 0);
            tp += Math.min(t, p);
            fp += Math.max(0, p - t);
            fn += Math.max(0, t - p);
        }
        double sum = tp + fp + fn;
        return sum > 0 ? new PageCounts(tp / sum, fp / sum, fn / sum) : new PageCounts(0, 0, 0);
    }

    static Summary summarise(List<PageCounts> pages) {
        double precisionSum = 0;
        int precisionPages = 0;
        double recallSum = 0;
        int recallPages = 0;
        for (PageCounts page : pages) {
            // Pages without any predicted (or any true) shingle are left out of that mean, as in evaluate.py.
            if (page.tp() + page.fp() > 0) {
                precisionSum += page.precision();
                precisionPages++;
            }
            if (page.tp() + page.fn() > 0) {
                recallSum += page.recall();
                recallPages++;
            }
        }
        double precision = precisionSum / precisionPages;
        double recall = recallSum / recallPages;
        return new Summary(precision, recall, 2 * precision * recall / (precision + recall));
    }

    /**
     * All shingles with their counts. Like the reference, a text with fewer tokens than a shingle yields one
     * short shingle of all its tokens, and an empty text yields none.
     */
    static Map<List<String>, Integer> shingles(String text) {
        List<String> tokens = tokens(text);
        Map<List<String>, Integer> counts = new HashMap<>();
        int starts = Math.max(1, tokens.size() - SHINGLE_SIZE + 1);
        for (int i = 0; i < starts && !tokens.isEmpty(); i++) {
            List<String> shingle = List.copyOf(tokens.subList(i, Math.min(tokens.size(), i + SHINGLE_SIZE)));
            counts.merge(shingle, 1, Integer::sum);
        }
        return counts;
    }

    /** Runs of word characters, where a word character is what Python's {@code re} calls {@code \w}. */
    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int start = -1;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            if (isWordCharacter(cp)) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                tokens.add(text.substring(start, i));
                start = -1;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            tokens.add(text.substring(start));
        }
        return tokens;
    }

    /**
     * Python's {@code \w} is {@code str.isalnum()} or an underscore: letters and numbers only. Java's
     * {@code \w} with {@code UNICODE_CHARACTER_CLASS} would also take combining marks (Devanagari vowel signs,
     * for one) and all connector punctuation, and so would split words differently.
     */
    static boolean isWordCharacter(int codePoint) {
        if (codePoint == '_') {
            return true;
        }
        return switch (Character.getType(codePoint)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }
}
