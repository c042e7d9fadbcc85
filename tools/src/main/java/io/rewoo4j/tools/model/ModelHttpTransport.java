package io.rewoo4j.tools.model;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * One JSON POST to a model server over Reactor Netty: the body of a 2xx response as byte chunks, with the three
 * {@link HttpTimeouts} applied and every failure typed as a {@link ModelClientException}. Each subscription is one
 * request; cancelling it closes the connection (an unfinished response is never returned to the pool), which is how a
 * model server learns to stop generating.
 */
final class ModelHttpTransport {

    /** Marks the arrival of the response headers, so that the response timeout can give way to the idle timeout. */
    private static final byte[] HEADERS_RECEIVED = new byte[0];

    private final HttpClient http;
    private final HttpTimeouts timeouts;
    private final Clock clock;

    ModelHttpTransport(HttpClient http, String apiKey, HttpTimeouts timeouts) {
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.clock = Clock.systemUTC();
        this.http = http
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        timeouts.connect().toMillis()))
                .followRedirect(false)
                .headers(headers -> {
                    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                    if (apiKey != null) {
                        headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
                    }
                });
    }

    /**
     * POSTs {@code json} to {@code url}. Emits the response body's chunks as they arrive; fails with an
     * {@link HttpStatusException} for a 4xx/5xx (carrying the server's message and {@code Retry-After}), a
     * {@link ModelTimeoutException}, a {@link ConnectionFailedException}, or a {@link MalformedResponseException} for a
     * status that is neither success nor error (a redirect).
     *
     * @param accept the {@code Accept} header: {@code text/event-stream} or {@code application/json}
     */
    Flux<byte[]> post(URI url, byte[] json, String accept) {
        Flux<byte[]> exchange = http
                .headers(headers -> headers.set(HttpHeaderNames.ACCEPT, accept)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length))
                .post()
                .uri(url.toString())
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(json)))
                .response((response, body) -> {
                    int status = response.status().code();
                    if (status >= 400) {
                        String retryAfter = response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER);
                        return body.aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                                .flatMap(text -> Mono.error(
                                        ModelErrorMapper.forStatus(url, status, text, retryAfter, clock)));
                    }
                    if (status < 200 || status >= 300) {
                        String location = response.responseHeaders().get(HttpHeaderNames.LOCATION);
                        return Mono.error(new MalformedResponseException(url, "unexpected HTTP " + status
                                + (location == null ? "" : " to " + location + " (configure the final URL)"), null));
                    }
                    return Flux.just(HEADERS_RECEIVED).concatWith(body.asByteArray());
                });
        // An error from a timeout publisher passes through the timeout operator as it is, which types the phase.
        Mono<Long> responseTimeout = Mono.delay(timeouts.response())
                .then(Mono.error(() -> timeout(url, ModelTimeoutException.Phase.RESPONSE, timeouts.response())));
        Mono<Long> idleTimeout = Mono.delay(timeouts.idle())
                .then(Mono.error(() -> timeout(url, ModelTimeoutException.Phase.IDLE, timeouts.idle())));
        return exchange
                .timeout(responseTimeout, chunk -> idleTimeout)
                .filter(chunk -> chunk != HEADERS_RECEIVED)
                .onErrorMap(error -> mapTransportError(url, error));
    }

    private Throwable mapTransportError(URI url, Throwable error) {
        Throwable mapped = ModelErrorMapper.forTransportError(url, error, timeouts.connect());
        if (mapped == error && error instanceof TimeoutException) {
            // Not ours (ours are typed above): the connection pool found no free connection in time.
            return new ConnectionFailedException(url, "no connection available: " + error.getMessage(), error, true);
        }
        return mapped;
    }

    private static ModelTimeoutException timeout(URI url, ModelTimeoutException.Phase phase, Duration limit) {
        return new ModelTimeoutException(url, phase, limit, null);
    }
}
