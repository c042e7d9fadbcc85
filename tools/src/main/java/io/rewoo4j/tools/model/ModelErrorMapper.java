package io.rewoo4j.tools.model;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import javax.net.ssl.SSLException;

import io.netty.channel.ConnectTimeoutException;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns what went wrong (an HTTP status with its body, an error event inside a stream, a transport exception) into a
 * {@link ModelClientException}.
 */
final class ModelErrorMapper {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final int MAX_MESSAGE_CHARS = 1000;

    private ModelErrorMapper() {
    }

    /**
     * The exception for an error status.
     *
     * @param body       the response body (JSON error or plain text), possibly empty
     * @param retryAfter the {@code Retry-After} header, or {@code null}
     */
    static HttpStatusException forStatus(URI endpoint, int status, String body, String retryAfter,
                                                Clock clock) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("not an error status: " + status);
        }
        String message = serverMessage(body);
        Duration delay = parseRetryAfter(retryAfter, clock);
        if (status == 401 || status == 403) {
            return new AuthenticationException(endpoint, status, message);
        }
        if (status == 429) {
            return new RateLimitedException(endpoint, message, delay);
        }
        // TGI answers 424 Failed Dependency when the model shard failed during generation: a server-side failure.
        if (status >= 500 || status == 424) {
            return new ServerErrorException(endpoint, status, message, delay);
        }
        return new BadRequestException(endpoint, status, message);
    }

    /**
     * The exception for an error event inside a stream that began with 200, mapped to the status the server itself
     * uses for that kind of error: vLLM's {@code {"error": {"message", "type", "code": 400}}} uses {@code code}; TGI's
     * {@code {"error": "...", "error_type": "validation"}} maps validation to 422, overloaded to 429, generation to
     * 424, anything else to 500.
     */
    static HttpStatusException forStreamError(URI endpoint, JsonNode event) {
        JsonNode error = event.path("error");
        int status;
        if (error.isObject()) {
            JsonNode code = error.path("code");
            String type = error.path("type").asString("").toLowerCase(Locale.ROOT);
            if (code.isNumber() && code.asInt() >= 400 && code.asInt() <= 599) {
                status = code.asInt();
            } else if (type.contains("rate_limit") || code.asString("").contains("rate_limit")) {
                status = 429;
            } else if (type.contains("auth") || type.contains("permission")) {
                status = 401;
            } else if (type.contains("invalid_request") || type.contains("badrequest")) {
                status = 400;
            } else {
                status = 500;
            }
        } else {
            status = switch (event.path("error_type").asString("")) {
                case "validation" -> 422;
                case "overloaded" -> 429;
                case "generation" -> 424;
                default -> 500;
            };
        }
        return forStatus(endpoint, status, JSON.writeValueAsString(event), null, Clock.systemUTC());
    }

    /**
     * The message in an error body: {@code error.message} (OpenAI, vLLM, llama.cpp), {@code error} as a string (TGI),
     * {@code message} (older vLLM), {@code detail} (FastAPI-based servers); else the body's text, shortened.
     */
    static String serverMessage(String body) {
        String trimmed = body == null ? "" : body.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode root = JSON.readTree(trimmed);
                JsonNode error = root.path("error");
                if (error.isObject() && error.path("message").isString()) {
                    return shorten(error.path("message").asString());
                }
                if (error.isString()) {
                    return shorten(error.asString());
                }
                if (root.path("message").isString()) {
                    return shorten(root.path("message").asString());
                }
                JsonNode detail = root.path("detail");
                if (!detail.isMissingNode() && !detail.isNull()) {
                    return shorten(detail.isString() ? detail.asString() : detail.toString());
                }
            } catch (JacksonException notJson) {
                // fall through to the raw text
            }
        }
        return shorten(trimmed);
    }

    /**
     * A {@code Retry-After} value: delay-seconds (fractions tolerated) or an HTTP date. {@code null} when absent or
     * unreadable; never negative.
     */
    static Duration parseRetryAfter(String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        try {
            double seconds = Double.parseDouble(value);
            if (!(seconds >= 0) || Double.isInfinite(seconds)) {
                return null;
            }
            return Duration.ofMillis((long) Math.ceil(seconds * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration delay = Duration.between(clock.instant(), at);
                return delay.isNegative() ? Duration.ZERO : delay;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /**
     * The exception for a failure below HTTP: refused or broken connections, connect timeouts, TLS. A
     * {@link ModelClientException} is returned as it is; anything unrecognised is returned unchanged, since it is
     * not the server's doing.
     */
    static Throwable forTransportError(URI endpoint, Throwable error, Duration connectTimeout) {
        if (error instanceof ModelClientException) {
            return error;
        }
        if (error instanceof ConnectTimeoutException) {
            return new ModelTimeoutException(endpoint, ModelTimeoutException.Phase.CONNECT, connectTimeout, error);
        }
        if (error instanceof SSLException) {
            return new ConnectionFailedException(endpoint, "TLS failed: " + error.getMessage(), error, false);
        }
        if (error instanceof PrematureCloseException) {
            return new ConnectionFailedException(endpoint, "the server closed the connection before the response "
                    + "was complete", error, true);
        }
        if (error instanceof IOException) {
            // ConnectException (refused), UnknownHostException, "connection reset", ClosedChannelException, …
            String what = error instanceof ClosedChannelException ? "connection closed" : error.toString();
            return new ConnectionFailedException(endpoint, what, error, true);
        }
        return error;
    }

    private static String shorten(String text) {
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
}
