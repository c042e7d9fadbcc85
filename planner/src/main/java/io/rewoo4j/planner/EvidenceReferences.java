package io.rewoo4j.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The syntax of evidence variables and references to them: {@code :evidence3:} (the seeds' form) and {@code #E3}
 * (the ReWOO paper's form).
 *
 * <p>References are whole tokens: {@code :evidence1:} never matches inside {@code :evidence10:}, and {@code #E1}
 * never inside {@code #E10}. They are case-insensitive: a token's {@linkplain #idOf(String) id} is its name in
 * lower case without the marks, so {@code :Evidence1:} and {@code :evidence1:} name the same step.
 */
public final class EvidenceReferences {

    /** A colon-delimited or hash-prefixed variable token: a name of letters followed by digits. */
    static final String TOKEN_REGEX = ":([A-Za-z][A-Za-z_]*?\\d+):|#([A-Za-z][A-Za-z_]*?\\d+)(?![0-9])";

    private static final Pattern TOKEN = Pattern.compile(TOKEN_REGEX);
    private static final Pattern FAMILY = Pattern.compile("^([a-z_]*?)\\d+$");

    private EvidenceReferences() {
    }

    /** One reference token found in a text. */
    public record Reference(String token, String id, int start, int end) {

        /**
         * The token's family: its mark and its name without the number ({@code :evidence}, {@code #e}). A plan's
         * references are recognised per family, so that unrelated text such as {@code :smile1:} is not taken for one.
         */
        public String family() {
            Matcher m = FAMILY.matcher(id);
            String prefix = m.matches() ? m.group(1) : id;
            return token.charAt(0) + prefix;
        }
    }

    /** The id of a variable token: {@code :Evidence0:} gives {@code evidence0}, {@code #E1} gives {@code e1}. */
    public static String idOf(String token) {
        String t = token.strip();
        if (t.startsWith("#")) {
            t = t.substring(1);
        } else if (t.startsWith(":") && t.endsWith(":") && t.length() >= 2) {
            t = t.substring(1, t.length() - 1);
        }
        return t.toLowerCase(Locale.ROOT);
    }

    /** Every variable token in the text, in order of appearance. */
    public static List<Reference> scan(CharSequence text) {
        List<Reference> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            out.add(new Reference(m.group(), idOf(m.group()), m.start(), m.end()));
        }
        return out;
    }

    /** Whether the text, stripped, is exactly one variable token. */
    public static boolean isSingleReference(String text) {
        return TOKEN.matcher(text.strip()).matches();
    }

    /**
     * Replaces each reference whose id the function knows (returns non-null for) by the function's value, in one
     * pass: text that a replacement brings in is never itself substituted. References the function does not know
     * are left as written.
     */
    public static String substitute(String text, Function<String, String> valueOfId) {
        Matcher m = TOKEN.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            String value = valueOfId.apply(idOf(m.group()));
            if (value == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + value.length());
            }
            out.append(text, last, m.start()).append(value);
            last = m.end();
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    /** {@link #substitute(String, Function)} with a map from id to text. */
    public static String substitute(String text, Map<String, String> valuesById) {
        return substitute(text, valuesById::get);
    }
}
