package io.rewoo4j.tools.http;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the charset to decode a body with: a byte-order mark, else the {@code Content-Type} header's parameter,
 * else (for HTML) a {@code <meta charset>} or {@code <meta http-equiv="Content-Type">} declaration near the top,
 * else UTF-8 — the order of the HTML encoding-sniffing algorithm, minus its statistical guessing.
 */
final class PageCharset {

    /** How far into an HTML document to look for a meta declaration (the HTML standard says 1024 bytes). */
    private static final int META_PRESCAN_BYTES = 4096;

    // Matches both <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
    private static final Pattern META_CHARSET = Pattern.compile(
            "<meta\\b[^>]*?\\bcharset\\s*=\\s*[\"']?\\s*([A-Za-z0-9._:\\-]+)", Pattern.CASE_INSENSITIVE);

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private PageCharset() {
    }

    static Charset detect(byte[] body, String headerCharset, boolean html) {
        Optional<Charset> bom = fromByteOrderMark(body);
        if (bom.isPresent()) {
            return bom.get();
        }
        Optional<Charset> declared = lookup(headerCharset);
        if (declared.isPresent()) {
            return declared.get();
        }
        if (html) {
            String head = new String(body, 0, Math.min(body.length, META_PRESCAN_BYTES), StandardCharsets.ISO_8859_1);
            Matcher m = META_CHARSET.matcher(head);
            if (m.find()) {
                Optional<Charset> meta = lookup(m.group(1));
                if (meta.isPresent()) {
                    // A document whose bytes were readable as ASCII to find this cannot really be UTF-16.
                    String name = meta.get().name();
                    return name.startsWith("UTF-16") ? StandardCharsets.UTF_8 : meta.get();
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** Decodes with {@code charset}, dropping a leading byte-order mark; malformed input becomes U+FFFD. */
    static String decode(byte[] body, Charset charset) {
        String text = new String(body, charset);
        return !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
    }

    private static Optional<Charset> fromByteOrderMark(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
            return Optional.of(StandardCharsets.UTF_8);
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff) {
            return Optional.of(StandardCharsets.UTF_16BE);
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe) {
            return Optional.of(StandardCharsets.UTF_16LE);
        }
        return Optional.empty();
    }

    private static Optional<Charset> lookup(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        try {
            Charset charset = Charset.forName(name.strip());
            // The WHATWG Encoding standard reads these labels as windows-1252, a superset; pages rely on it.
            if (charset.equals(StandardCharsets.ISO_8859_1) || charset.equals(StandardCharsets.US_ASCII)) {
                return Optional.of(WINDOWS_1252);
            }
            return Optional.of(charset);
        } catch (IllegalArgumentException e) {
            // Unknown or illegal names are ignored and the next source is tried, as browsers do.
            return Optional.empty();
        }
    }
}
