package io.rewoo4j.tools.http;

/** The response is not HTML, XHTML or plain text (for example a PDF, an image or JSON). */
public final class UnsupportedContentTypeException extends FetchException {

    private static final long serialVersionUID = 1L;

    private final String contentType;

    public UnsupportedContentTypeException(String url, String contentType) {
        super(url, "Unsupported content type '" + contentType + "' at " + url
                + " (only HTML, XHTML and plain text are read)", null);
        this.contentType = contentType;
    }

    /** The media type the server declared (or that was sniffed), without parameters. */
    public String contentType() {
        return contentType;
    }
}
