package io.rewoo4j.tools.model;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, TGI's Messages API, LM Studio). A
 * {@code null} component takes its default. Bound from {@code rewoo.model.*} ({@code base-url}, {@code name},
 * {@code api-key}, …).
 *
 * @param baseUrl            the server's root, e.g. {@code http://localhost:8000}; a root that already ends in
 *                           {@code /v1} (as the OpenAI Python client wants it) is accepted as well (default
 *                           {@code http://localhost:8000}, vLLM's port)
 * @param model              the {@code model} field: the served model's name; {@code null} leaves it out (llama.cpp
 *                           and single-model servers do not need it)
 * @param apiKey             sent as {@code Authorization: Bearer <apiKey>}; {@code null} or blank sends none
 * @param mode               completions with the raw prompt (default) or chat completions
 * @param samplingExtensions how top-k and the repetition penalty are sent (default {@link SamplingExtensions#VLLM})
 * @param timeouts           connect, response and idle timeouts
 * @param retry              retries before any text has been emitted
 */
public record OpenAiClientConfig(URI baseUrl, String model, String apiKey, OpenAiMode mode,
                                 SamplingExtensions samplingExtensions, HttpTimeouts timeouts, RetrySettings retry) {

    public static final URI DEFAULT_BASE_URL = URI.create("http://localhost:8000");

    public OpenAiClientConfig {
        baseUrl = ModelEndpoints.checkBaseUrl(Objects.requireNonNullElse(baseUrl, DEFAULT_BASE_URL));
        model = model == null || model.isBlank() ? null : model;
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        mode = Objects.requireNonNullElse(mode, OpenAiMode.COMPLETIONS);
        samplingExtensions = Objects.requireNonNullElse(samplingExtensions, SamplingExtensions.VLLM);
        timeouts = Objects.requireNonNullElseGet(timeouts, HttpTimeouts::defaults);
        retry = Objects.requireNonNullElseGet(retry, RetrySettings::defaults);
    }

    /** All defaults except the server's root. */
    public static OpenAiClientConfig of(String baseUrl) {
        return new OpenAiClientConfig(URI.create(baseUrl), null, null, null, null, null, null);
    }

    public OpenAiClientConfig withModel(String name) {
        return new OpenAiClientConfig(baseUrl, name, apiKey, mode, samplingExtensions, timeouts, retry);
    }

    public OpenAiClientConfig withApiKey(String key) {
        return new OpenAiClientConfig(baseUrl, model, key, mode, samplingExtensions, timeouts, retry);
    }

    public OpenAiClientConfig withMode(OpenAiMode m) {
        return new OpenAiClientConfig(baseUrl, model, apiKey, m, samplingExtensions, timeouts, retry);
    }

    public OpenAiClientConfig withSamplingExtensions(SamplingExtensions e) {
        return new OpenAiClientConfig(baseUrl, model, apiKey, mode, e, timeouts, retry);
    }

    public OpenAiClientConfig withTimeouts(HttpTimeouts t) {
        return new OpenAiClientConfig(baseUrl, model, apiKey, mode, samplingExtensions, t, retry);
    }

    public OpenAiClientConfig withRetry(RetrySettings r) {
        return new OpenAiClientConfig(baseUrl, model, apiKey, mode, samplingExtensions, timeouts, r);
    }

    /** The URL the configured {@link #mode()} posts to. */
    public URI endpoint() {
        String path = switch (mode) {
            case COMPLETIONS -> "completions";
            case CHAT_COMPLETIONS -> "chat/completions";
        };
        return ModelEndpoints.resolve(baseUrl, baseUrl.getPath().endsWith("/v1") || baseUrl.getPath().endsWith("/v1/")
                ? path : "v1/" + path);
    }

    /** Keeps the API key out of logs. */
    @Override
    public String toString() {
        return "OpenAiClientConfig[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                + (apiKey == null ? "none" : "****") + ", mode=" + mode + ", samplingExtensions=" + samplingExtensions
                + ", timeouts=" + timeouts + ", retry=" + retry + "]";
    }
}
