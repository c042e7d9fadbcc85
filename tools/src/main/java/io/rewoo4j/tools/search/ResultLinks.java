package io.rewoo4j.tools.search;

import io.rewoo4j.tools.http.HttpUrl;
import io.rewoo4j.tools.http.InvalidUrlException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns the {@code href} of a result link into the destination URL: resolves it against the page, unwraps
 * DuckDuckGo's click-tracking redirect {@code //duckduckgo.com/l/?uddg=<encoded destination>&rut=...}, and
 * rejects ads — DuckDuckGo's ad redirect {@code /y.js?ad_domain=...} and Bing's {@code aclick}, also when they hide
 * inside a {@code uddg} parameter — and anything that is not http(s).
 */
final class ResultLinks {

    private ResultLinks() {
    }

    /** The destination of {@code href} on the page at {@code page}, or empty for ads and unusable links. */
    static Optional<String> destination(String href, HttpUrl page) {
        if (href == null || href.isBlank()) {
            return Optional.empty();
        }
        try {
            HttpUrl url = page.resolve(href);
            // A redirect may wrap another redirect; unwrap a few levels, no more.
            for (int depth = 0; depth < 3 && isDuckDuckGo(url) && url.uri().getRawPath().startsWith("/l/"); depth++) {
                Optional<String> wrapped = queryParameter(url, "uddg");
                if (wrapped.isEmpty()) {
                    return Optional.empty();
                }
                url = HttpUrl.parse(wrapped.get());
            }
            return isAd(url) ? Optional.empty() : Optional.of(url.toString());
        } catch (InvalidUrlException e) {
            return Optional.empty();
        }
    }

    static boolean isAd(HttpUrl url) {
        String path = url.uri().getRawPath();
        String query = url.uri().getRawQuery() == null ? "" : url.uri().getRawQuery();
        if (isDuckDuckGo(url) && path.equals("/y.js")) {
            return true;
        }
        if ((url.host().equals("bing.com") || url.host().endsWith(".bing.com")) && path.startsWith("/aclick")) {
            return true;
        }
        return query.contains("ad_domain=") || query.contains("ad_provider=");
    }

    private static boolean isDuckDuckGo(HttpUrl url) {
        String host = url.host().toLowerCase(Locale.ROOT);
        return host.equals("duckduckgo.com") || host.endsWith(".duckduckgo.com");
    }

    private static Optional<String> queryParameter(HttpUrl url, String name) {
        String query = url.uri().getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
