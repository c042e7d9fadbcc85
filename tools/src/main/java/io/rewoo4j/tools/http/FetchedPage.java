package io.rewoo4j.tools.http;

import java.nio.charset.Charset;
import java.util.Objects;

/**
 * A fetched HTML, XHTML or plain-text document, decoded.
 *
 * @param requestedUrl the URL first asked for
 * @param url          the URL the document came from, after redirects
 * @param statusCode   200 or 203
 * @param mediaType    {@code text/html}, {@code application/xhtml+xml} or {@code text/plain}
 * @param charset      the charset the body was decoded with
 * @param text         the decoded body, without a byte-order mark
 */
public record FetchedPage(HttpUrl requestedUrl, HttpUrl url, int statusCode, String mediaType, Charset charset,
                          String text) {

    public FetchedPage {
        Objects.requireNonNull(requestedUrl, "requestedUrl");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(charset, "charset");
        Objects.requireNonNull(text, "text");
    }

    /** Whether the document is HTML or XHTML (as opposed to plain text). */
    public boolean isHtml() {
        return !mediaType.equals(ContentType.TEXT_PLAIN);
    }
}
