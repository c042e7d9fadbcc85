package io.rewoo4j.tools.http;

import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * An absolute http or https URL, parsed leniently (as browsers do: spaces and other characters that
 * {@link URI} rejects are percent-encoded, internationalised host names are converted to ASCII) and then
 * validated. The {@link #uri()} is pure ASCII, with the scheme and host in lower case and an empty path
 * replaced by {@code /}.
 */
public final class HttpUrl {

    private static final String HEX = "0123456789ABCDEF";

    private final URI uri;
    private final String host;
    private final int port;

    private HttpUrl(URI uri, String host, int port) {
        this.uri = uri;
        this.host = host;
        this.port = port;
    }

    /**
     * Parses {@code text} as an absolute http(s) URL.
     *
     * @throws InvalidUrlException when it is not one
     */
    public static HttpUrl parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidUrlException(text, "empty");
        }
        URI uri;
        try {
            uri = new URI(escapeIllegalCharacters(trimmed));
        } catch (URISyntaxException e) {
            throw new InvalidUrlException(text, e.getReason());
        }
        return of(uri, text);
    }

    /**
     * Validates an already parsed URI.
     *
     * @throws InvalidUrlException when it is not an absolute http(s) URL with a host
     */
    public static HttpUrl of(URI uri) {
        Objects.requireNonNull(uri, "uri");
        return of(uri, uri.toString());
    }

    private static HttpUrl of(URI uri, String original) {
        if (!uri.isAbsolute()) {
            throw new InvalidUrlException(original, "not an absolute URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidUrlException(original, "unsupported scheme '" + uri.getScheme() + "' (only http and https)");
        }
        if (uri.isOpaque()) {
            throw new InvalidUrlException(original, "not a hierarchical URL");
        }
        if (uri.getHost() == null || isNumericHost(uri.getHost())) {
            uri = withCanonicalHost(uri, original);
        }
        String rawHost = uri.getHost();
        if (rawHost == null || rawHost.isEmpty()) {
            throw new InvalidUrlException(original, "no host");
        }
        String host = rawHost.toLowerCase(Locale.ROOT);
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(scheme);
        if (port < 1 || port > 65535) {
            throw new InvalidUrlException(original, "port out of range: " + port);
        }
        StringBuilder canonical = new StringBuilder(scheme).append("://");
        if (uri.getRawUserInfo() != null) {
            canonical.append(uri.getRawUserInfo()).append('@');
        }
        canonical.append(host);
        if (uri.getPort() != -1) {
            canonical.append(':').append(uri.getPort());
        }
        String path = uri.getRawPath();
        canonical.append(path == null || path.isEmpty() ? "/" : path);
        if (uri.getRawQuery() != null) {
            canonical.append('?').append(uri.getRawQuery());
        }
        if (uri.getRawFragment() != null) {
            canonical.append('#').append(uri.getRawFragment());
        }
        try {
            // toASCIIString percent-encodes the non-ASCII characters that URI tolerates in paths and queries.
            return new HttpUrl(new URI(new URI(canonical.toString()).toASCIIString()), bareHost, port);
        } catch (URISyntaxException e) {
            throw new InvalidUrlException(original, e.getReason());
        }
    }

    /**
     * {@link URI} leaves the host undefined for non-ASCII names and for IPv4 shorthands such as {@code 127.1}:
     * convert names with IDNA and numeric hosts to dotted-quad form (as browsers do), then parse again.
     */
    private static URI withCanonicalHost(URI uri, String original) {
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new InvalidUrlException(original, "no host");
        }
        int at = authority.lastIndexOf('@');
        String userInfo = at >= 0 ? authority.substring(0, at + 1) : "";
        String hostAndPort = authority.substring(at + 1);
        int colon = hostAndPort.lastIndexOf(':');
        String hostPart = colon >= 0 ? hostAndPort.substring(0, colon) : hostAndPort;
        String portPart = colon >= 0 ? hostAndPort.substring(colon) : "";
        String asciiHost;
        if (hostPart.startsWith("[")) {
            asciiHost = hostPart;
        } else {
            try {
                asciiHost = IDN.toASCII(percentDecode(hostPart), IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                throw new InvalidUrlException(original, "invalid host name '" + hostPart + "'");
            }
            if (isNumericHost(asciiHost)) {
                asciiHost = Ipv4Literal.canonical(asciiHost)
                        .orElseThrow(() -> new InvalidUrlException(original, "invalid IPv4 address '" + hostPart + "'"));
            }
        }
        StringBuilder rebuilt = new StringBuilder(uri.getScheme()).append("://")
                .append(userInfo).append(asciiHost).append(portPart);
        if (uri.getRawPath() != null) {
            rebuilt.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            rebuilt.append('?').append(uri.getRawQuery());
        }
        if (uri.getRawFragment() != null) {
            rebuilt.append('#').append(uri.getRawFragment());
        }
        try {
            URI parsed = new URI(rebuilt.toString());
            if (parsed.getHost() == null) {
                throw new InvalidUrlException(original, "invalid host name '" + hostPart + "'");
            }
            return parsed;
        } catch (URISyntaxException e) {
            throw new InvalidUrlException(original, e.getReason());
        }
    }

    /**
     * Resolves a reference (a redirect's {@code Location}, a link's {@code href}) against this URL.
     *
     * @throws InvalidUrlException when the result is not an http(s) URL
     */
    public HttpUrl resolve(String reference) {
        Objects.requireNonNull(reference, "reference");
        String trimmed = reference.strip();
        URI ref;
        try {
            ref = new URI(escapeIllegalCharacters(trimmed));
        } catch (URISyntaxException e) {
            throw new InvalidUrlException(trimmed, e.getReason());
        }
        if (ref.isAbsolute()) {
            return of(ref, trimmed);
        }
        String raw = ref.toString();
        if (raw.startsWith("?")) {
            // java.net.URI follows RFC 2396 here and would drop the last path segment; RFC 3986 keeps it.
            return parse(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + raw);
        }
        return of(uri.resolve(ref), trimmed);
    }

    /** The canonical URI (ASCII, lower-case scheme and host, path at least {@code /}). */
    public URI uri() {
        return uri;
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return uri.getScheme();
    }

    public boolean isHttps() {
        return scheme().equals("https");
    }

    /** The host in lower case, without the brackets of an IPv6 literal. */
    public String host() {
        return host;
    }

    /** The port, or the scheme's default port when the URL names none. */
    public int port() {
        return port;
    }

    /** Whether the URL carries a {@code user:password@} part. */
    public boolean hasUserInfo() {
        return uri.getRawUserInfo() != null;
    }

    /** The raw path and query, as sent in the request line (never the fragment). */
    public String pathAndQuery() {
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    /** The value of the {@code Host} request header: the host, bracketed when IPv6, and a non-default port. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == defaultPort(scheme()) ? h : h + ":" + port;
    }

    /** {@code scheme://host[:port]}, without a default port. */
    public String origin() {
        return scheme() + "://" + hostHeader();
    }

    /**
     * The form used to recognise the same resource written differently: scheme and host in lower case, no
     * default port, no fragment, {@code /} for an empty path.
     */
    public String normalised() {
        StringBuilder key = new StringBuilder(scheme()).append("://");
        if (uri.getRawUserInfo() != null) {
            key.append(uri.getRawUserInfo()).append('@');
        }
        key.append(hostHeader()).append(pathAndQuery());
        return key.toString();
    }

    /** This URL without its fragment. */
    public HttpUrl withoutFragment() {
        if (uri.getRawFragment() == null) {
            return this;
        }
        String text = uri.toString();
        return parse(text.substring(0, text.indexOf('#')));
    }

    /** Whether the host's last label is a number, which makes the whole host an IPv4 address (WHATWG URL). */
    private static boolean isNumericHost(String host) {
        if (host.startsWith("[")) {
            return false;
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = h.substring(h.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        if (last.isEmpty()) {
            return false;
        }
        if (last.startsWith("0x")) {
            return last.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }
        return last.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /**
     * Percent-encodes what browsers encode before parsing: ASCII characters that RFC 3986 does not allow
     * anywhere, controls, {@code %} signs not followed by two hex digits, brackets outside the authority (where
     * they may only enclose an IPv6 literal) and every {@code #} after the first.
     */
    static String escapeIllegalCharacters(String text) {
        int schemeEnd = text.indexOf("://");
        int authorityStart = schemeEnd >= 0 ? schemeEnd + 3 : text.startsWith("//") ? 2 : -1;
        int restStart = 0;
        if (authorityStart >= 0) {
            restStart = text.length();
            for (int i = authorityStart; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '/' || c == '?' || c == '#') {
                    restStart = i;
                    break;
                }
            }
        }
        boolean seenHash = false;
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean inRest = i >= restStart;
            boolean escape = c <= 0x20 || c == 0x7f || "\"<>\\^`{|}".indexOf(c) >= 0
                    || (c == '%' && !(i + 2 < text.length() && isHex(text.charAt(i + 1)) && isHex(text.charAt(i + 2))))
                    || (inRest && (c == '[' || c == ']'))
                    || (inRest && c == '#' && seenHash);
            if (inRest && c == '#') {
                seenHash = true;
            }
            if (escape) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append('%').append(HEX.charAt((c >> 4) & 0xf)).append(HEX.charAt(c & 0xf));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpUrl other && other.uri.toString().equals(uri.toString());
    }

    @Override
    public int hashCode() {
        return uri.toString().hashCode();
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
