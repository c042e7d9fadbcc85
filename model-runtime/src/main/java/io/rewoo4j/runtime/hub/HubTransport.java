package io.rewoo4j.runtime.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Sends one request to the hub and follows its redirects by hand, so that the token goes only to the hub's own
 * origin and never to the CDN a large file is redirected to (as the hub's Python client does).
 */
final class HubTransport {

    static final int MAX_REDIRECTS = 5;
    private static final String USER_AGENT = "rewoo4j/0.1; java/" + Runtime.version().feature();

    private final HttpClient http;
    private final URI endpoint;
    private final String token;
    private final Duration responseTimeout;

    HubTransport(URI endpoint, String token, Duration connectTimeout, Duration responseTimeout) {
        this.endpoint = endpoint;
        this.token = token;
        this.responseTimeout = responseTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }

    /** The final response and whether the token went with it. */
    record Reply<T>(HttpResponse<T> response, boolean tokenSent) {
        int status() {
            return response.statusCode();
        }
    }

    boolean hasToken() {
        return token != null;
    }

    /**
     * Sends {@code method} (GET or HEAD) to {@code uri}. Relative redirects are always followed (the hub uses them
     * for renamed repositories); absolute ones (to the CDN) only when {@code followAbsolute}, otherwise the redirect
     * itself is returned, because its headers ({@code X-Linked-Size}) are what a metadata request wants.
     */
    <T> Reply<T> send(String method, URI uri, Map<String, String> headers, HttpResponse.BodyHandler<T> handler,
                      boolean followAbsolute) throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .timeout(responseTimeout)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", USER_AGENT);
            headers.forEach(request::header);
            boolean withToken = token != null && sameOrigin(current, endpoint);
            if (withToken) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<T> response;
            try {
                response = http.send(request.build(), handler);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while requesting " + current);
            }
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            if (!isRedirect(status) || location == null) {
                return new Reply<>(response, withToken);
            }
            URI target;
            try {
                target = URI.create(location.strip());
            } catch (IllegalArgumentException e) {
                discard(response);
                throw new HubProtocolException("malformed redirect from " + current + ": " + location, status);
            }
            if (!target.isAbsolute() || target.getHost() == null) {
                target = current.resolve(target);
            } else if (!followAbsolute) {
                return new Reply<>(response, withToken);
            }
            discard(response);
            String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw new HubProtocolException("redirect from " + current + " to an unsupported address: " + location, status);
            }
            if (hop >= MAX_REDIRECTS) {
                throw new HubProtocolException("more than " + MAX_REDIRECTS + " redirects from " + uri, status);
            }
            current = target;
        }
    }

    static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // The connection is given up either way; nothing of it is needed.
            }
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
