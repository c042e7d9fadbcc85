package io.rewoo4j.tools.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a model client waits. A {@code null} component takes its default, so that a partly bound configuration
 * still works.
 *
 * @param connect  opening the TCP connection (default 10 s)
 * @param response the response headers, from the start of an attempt (default 120 s). A streaming server sends them
 *                 once the prompt is read; a non-streamed call (TGI {@code /generate}) sends them only when the whole
 *                 completion is done, so give that mode room for the longest generation
 * @param idle     between two chunks of the response body (default 60 s): a server that stops sending mid-stream
 */
public record HttpTimeouts(Duration connect, Duration response, Duration idle) {

    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RESPONSE = Duration.ofSeconds(120);
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);

    public HttpTimeouts {
        connect = positive(connect, DEFAULT_CONNECT, "connect");
        response = positive(response, DEFAULT_RESPONSE, "response");
        idle = positive(idle, DEFAULT_IDLE, "idle");
    }

    public static HttpTimeouts defaults() {
        return new HttpTimeouts(null, null, null);
    }

    public HttpTimeouts withConnect(Duration d) {
        return new HttpTimeouts(d, response, idle);
    }

    public HttpTimeouts withResponse(Duration d) {
        return new HttpTimeouts(connect, d, idle);
    }

    public HttpTimeouts withIdle(Duration d) {
        return new HttpTimeouts(connect, response, d);
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        Duration d = Objects.requireNonNullElse(value, fallback);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive: " + d);
        }
        return d;
    }
}
