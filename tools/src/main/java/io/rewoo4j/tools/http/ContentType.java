package io.rewoo4j.tools.http;

import java.util.Locale;
import java.util.Set;

/**
 * A parsed {@code Content-Type} header: the media type in lower case and the {@code charset} parameter, if any.
 */
record ContentType(String mediaType, String charset) {

    static final String TEXT_HTML = "text/html";
    static final String XHTML = "application/xhtml+xml";
    static final String TEXT_PLAIN = "text/plain";

    /** The media types a fetched page may have. */
    static final Set<String> READABLE = Set.of(TEXT_HTML, XHTML, TEXT_PLAIN);

    /** Parses a header value; a header without a media type yields an empty {@code mediaType}. */
    static ContentType parse(String header) {
        if (header == null) {
            return new ContentType("", null);
        }
        String[] parts = header.split(";");
        String mediaType = parts[0].strip().toLowerCase(Locale.ROOT);
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            int eq = parameter.indexOf('=');
            if (eq > 0 && parameter.substring(0, eq).strip().equalsIgnoreCase("charset")) {
                String value = parameter.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                charset = value.isEmpty() ? null : value;
            }
        }
        return new ContentType(mediaType, charset);
    }

    boolean isReadable() {
        return READABLE.contains(mediaType);
    }

    /**
     * Guesses the type of a body served without a {@code Content-Type}: binary when its start holds NUL bytes,
     * HTML when it starts (after white space and a byte-order mark) with a tag, otherwise plain text.
     */
    static String sniff(byte[] body) {
        int limit = Math.min(body.length, 1024);
        for (int i = 0; i < limit; i++) {
            if (body[i] == 0) {
                return "application/octet-stream";
            }
        }
        int i = body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf
                ? 3 : 0;
        while (i < limit && Character.isWhitespace(body[i])) {
            i++;
        }
        return i < limit && body[i] == '<' ? TEXT_HTML : TEXT_PLAIN;
    }
}
