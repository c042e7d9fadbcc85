package io.rewoo4j.tools.model;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach a Hugging Face Text Generation Inference server through its native API. A {@code null} component
 * takes its default. Bound from {@code rewoo.model.*} ({@code base-url}, {@code api-key}, …).
 *
 * @param baseUrl  the server's root, e.g. {@code http://localhost:8080} (the default, TGI's usual published port)
 * @param apiKey   sent as {@code Authorization: Bearer <apiKey>} (Inference Endpoints); {@code null} or blank sends none
 * @param endpoint streamed (default) or not
 * @param timeouts connect, response and idle timeouts
 * @param retry    retries before any text has been emitted
 */
public record TgiClientConfig(URI baseUrl, String apiKey, TgiEndpoint endpoint, HttpTimeouts timeouts,
                              RetrySettings retry) {

    public static final URI DEFAULT_BASE_URL = URI.create("http://localhost:8080");

    public TgiClientConfig {
        baseUrl = ModelEndpoints.checkBaseUrl(Objects.requireNonNullElse(baseUrl, DEFAULT_BASE_URL));
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        endpoint = Objects.requireNonNullElse(endpoint, TgiEndpoint.GENERATE_STREAM);
        timeouts = Objects.requireNonNullElseGet(timeouts, HttpTimeouts::defaults);
        retry = Objects.requireNonNullElseGet(retry, RetrySettings::defaults);
    }

    /** All defaults except the server's root. */
    public static TgiClientConfig of(String baseUrl) {
        return new TgiClientConfig(URI.create(baseUrl), null, null, null, null);
    }

    public TgiClientConfig withApiKey(String key) {
        return new TgiClientConfig(baseUrl, key, endpoint, timeouts, retry);
    }

    public TgiClientConfig withEndpoint(TgiEndpoint e) {
        return new TgiClientConfig(baseUrl, apiKey, e, timeouts, retry);
    }

    public TgiClientConfig withTimeouts(HttpTimeouts t) {
        return new TgiClientConfig(baseUrl, apiKey, endpoint, t, retry);
    }

    public TgiClientConfig withRetry(RetrySettings r) {
        return new TgiClientConfig(baseUrl, apiKey, endpoint, timeouts, r);
    }

    /** The URL the configured {@link #endpoint()} posts to. */
    public URI url() {
        return ModelEndpoints.resolve(baseUrl, switch (endpoint) {
            case GENERATE_STREAM -> "generate_stream";
            case GENERATE -> "generate";
        });
    }

    /** Keeps the API key out of logs. */
    @Override
    public String toString() {
        return "TgiClientConfig[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "****") + ", endpoint="
                + endpoint + ", timeouts=" + timeouts + ", retry=" + retry + "]";
    }
}
