package io.rewoo4j.tools.knowledge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Okapi BM25 relevance of a small set of passages to a query (k1 = 1.2, b = 0.75), with inverse document
 * frequencies taken over the passages themselves: enough to keep the passages that mention the question's terms
 * when not all evidence fits a model's context.
 */
final class Bm25 {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "by", "did", "do",
            "does", "for", "from", "given", "had", "has", "have", "how", "in", "is", "it", "its", "of", "on", "or",
            "that", "the", "their", "this", "to", "was", "were", "what", "when", "where", "which", "who", "whom",
            "whose", "why", "with");
    private static final double K1 = 1.2;
    private static final double B = 0.75;

    private Bm25() {
    }

    static List<String> terms(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String t = m.group().toLowerCase(Locale.ROOT);
            if (!STOP_WORDS.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** The score of each passage for the query, in passage order. */
    static double[] scores(String query, List<String> passages) {
        int n = passages.size();
        double[] out = new double[n];
        if (n == 0) {
            return out;
        }
        List<Map<String, Integer>> frequencies = new ArrayList<>(n);
        int[] lengths = new int[n];
        Map<String, Integer> documentFrequency = new HashMap<>();
        long total = 0;
        for (int i = 0; i < n; i++) {
            Map<String, Integer> tf = new HashMap<>();
            List<String> terms = terms(passages.get(i));
            for (String t : terms) {
                tf.merge(t, 1, Integer::sum);
            }
            for (String t : tf.keySet()) {
                documentFrequency.merge(t, 1, Integer::sum);
            }
            frequencies.add(tf);
            lengths[i] = terms.size();
            total += terms.size();
        }
        double averageLength = Math.max(1.0, (double) total / n);
        Set<String> queryTerms = new HashSet<>(terms(query));
        for (String term : queryTerms) {
            int df = documentFrequency.getOrDefault(term, 0);
            if (df == 0) {
                continue;
            }
            double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
            for (int i = 0; i < n; i++) {
                Integer f = frequencies.get(i).get(term);
                if (f != null) {
                    double norm = f * (K1 + 1) / (f + K1 * (1 - B + B * lengths[i] / averageLength));
                    out[i] += idf * norm;
                }
            }
        }
        return out;
    }
}
