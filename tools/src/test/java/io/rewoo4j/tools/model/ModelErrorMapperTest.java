package io.rewoo4j.tools.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import javax.net.ssl.SSLHandshakeException;

import io.netty.channel.ConnectTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** HTTP statuses, error bodies, stream error events and transport failures map to the typed hierarchy. */
class ModelErrorMapperTest {

    private static final URI URL = URI.create("http://model.test/v1/completions");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "400, BadRequestException,    false",
            "401, AuthenticationException, false",
            "403, AuthenticationException, false",
            "404, BadRequestException,    false",
            "408, BadRequestException,    false",
            "413, BadRequestException,    false",
            "422, BadRequestException,    false",
            "424, ServerErrorException,   true",
            "429, RateLimitedException,   true",
            "500, ServerErrorException,   true",
            "501, ServerErrorException,   false",
            "502, ServerErrorException,   true",
            "503, ServerErrorException,   true",
            "504, ServerErrorException,   true",
    })
    void mapsStatusesToTheHierarchy(int status, String type, boolean retryable) {
        HttpStatusException e = ModelErrorMapper.forStatus(URL, status, "{\"error\": {\"message\": \"why\"}}", null,
                CLOCK);
        assertThat(e.getClass().getSimpleName()).isEqualTo(type);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.serverMessage()).isEqualTo("why");
        assertThat(e.endpoint()).isEqualTo(URL);
        assertThat(e).hasMessage(URL + ": HTTP " + status + ": why");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"error\": {\"message\": \"maximum context length is 4096 tokens\", \"type\": \"BadRequestError\", \"code\": 400}}"
                    + "| maximum context length is 4096 tokens",
            "{\"error\": \"Input validation error: `top_p` must be > 0.0 and < 1.0\", \"error_type\": \"validation\"}"
                    + "| Input validation error: `top_p` must be > 0.0 and < 1.0",
            "{\"object\": \"error\", \"message\": \"The model `x` does not exist.\"}| The model `x` does not exist.",
            "{\"detail\": \"Not authenticated\"}| Not authenticated",
            "<html>502 Bad Gateway</html>| <html>502 Bad Gateway</html>",
            "{not json| {not json",
    })
    void extractsTheServersMessage(String body, String message) {
        assertThat(ModelErrorMapper.serverMessage(body)).isEqualTo(message);
    }

    @Test
    void shortensLongBodiesAndToleratesEmptyOnes() {
        assertThat(ModelErrorMapper.serverMessage("x".repeat(5000))).hasSize(1001).endsWith("…");
        assertThat(ModelErrorMapper.serverMessage("")).isEmpty();
        assertThat(ModelErrorMapper.serverMessage("  Bad Gateway \r\n")).isEqualTo("Bad Gateway");
        assertThat(ModelErrorMapper.forStatus(URL, 500, "", null, CLOCK)).hasMessage(URL + ": HTTP 500");
    }

    @Test
    void readsRetryAfterAsSecondsOrAsAnHttpDate() {
        assertThat(ModelErrorMapper.parseRetryAfter("7", CLOCK)).isEqualTo(Duration.ofSeconds(7));
        assertThat(ModelErrorMapper.parseRetryAfter(" 0.25 ", CLOCK)).isEqualTo(Duration.ofMillis(250));
        assertThat(ModelErrorMapper.parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", CLOCK))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(ModelErrorMapper.parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", CLOCK)).isEqualTo(Duration.ZERO);
        assertThat(ModelErrorMapper.parseRetryAfter("soon", CLOCK)).isNull();
        assertThat(ModelErrorMapper.parseRetryAfter("-3", CLOCK)).isNull();
        assertThat(ModelErrorMapper.parseRetryAfter(null, CLOCK)).isNull();

        RateLimitedException limited = (RateLimitedException) ModelErrorMapper.forStatus(URL, 429, "", "2", CLOCK);
        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(2));
        ServerErrorException unavailable = (ServerErrorException) ModelErrorMapper.forStatus(URL, 503, "", "3", CLOCK);
        assertThat(unavailable.retryAfter()).contains(Duration.ofSeconds(3));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"error\": \"Input validation error: inputs too long\", \"error_type\": \"validation\"}| 422",
            "{\"error\": \"Model is overloaded\", \"error_type\": \"overloaded\"}| 429",
            "{\"error\": \"CUDA out of memory\", \"error_type\": \"generation\"}| 424",
            "{\"error\": \"Incomplete generation\", \"error_type\": \"incomplete_generation\"}| 500",
            "{\"error\": {\"message\": \"engine dead\", \"type\": \"InternalServerError\", \"code\": 500}}| 500",
            "{\"error\": {\"message\": \"bad\", \"type\": \"BadRequestError\", \"code\": 400}}| 400",
            "{\"error\": {\"message\": \"Rate limit reached\", \"type\": \"requests\", \"code\": \"rate_limit_exceeded\"}}| 429",
            "{\"error\": {\"message\": \"odd\", \"type\": \"invalid_request_error\", \"code\": null}}| 400",
    })
    void mapsErrorEventsInsideAStreamToTheStatusTheServerUsesForThem(String event, int status) {
        HttpStatusException e = ModelErrorMapper.forStreamError(URL, JsonMapper.shared().readTree(event));
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.serverMessage()).isNotBlank().doesNotContain("{");
    }

    @Test
    void mapsTransportFailures() {
        Duration connect = Duration.ofSeconds(3);
        assertThat(ModelErrorMapper.forTransportError(URL, new ConnectException("Connection refused"), connect))
                .isInstanceOfSatisfying(ConnectionFailedException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("Connection refused");
        assertThat(ModelErrorMapper.forTransportError(URL, new IOException("Connection reset by peer"), connect))
                .isInstanceOfSatisfying(ConnectionFailedException.class, e -> assertThat(e.isRetryable()).isTrue());
        assertThat(ModelErrorMapper.forTransportError(URL, new ConnectTimeoutException("timed out"), connect))
                .isInstanceOfSatisfying(ModelTimeoutException.class, e -> {
                    assertThat(e.phase()).isEqualTo(ModelTimeoutException.Phase.CONNECT);
                    assertThat(e.limit()).isEqualTo(connect);
                    assertThat(e.isRetryable()).isTrue();
                });
        assertThat(ModelErrorMapper.forTransportError(URL, new SSLHandshakeException("bad cert"), connect))
                .isInstanceOfSatisfying(ConnectionFailedException.class, e -> assertThat(e.isRetryable()).isFalse());
        IllegalStateException bug = new IllegalStateException("ours");
        assertThat(ModelErrorMapper.forTransportError(URL, bug, connect)).isSameAs(bug);
        BadRequestException typed = new BadRequestException(URL, 400, "x");
        assertThat(ModelErrorMapper.forTransportError(URL, typed, connect)).isSameAs(typed);
    }
}
