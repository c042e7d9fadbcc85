package io.rewoo4j.tools.model;

import java.net.URI;
import java.util.Objects;

import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link LanguageModel} served by an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, TGI's Messages
 * API, LM Studio), streamed over Server-Sent Events from {@code /v1/completions} (the raw prompt; the default) or
 * {@code /v1/chat/completions}. See {@code docs/model-clients.md} for what is sent.
 * <p>
 * Stop sequences: the first four go to the server; all are cut client-side as well, also across chunks. Failures are
 * {@link ModelClientException}s; those that may pass are retried with backoff as long as no text has been emitted.
 * Cancelling a subscription closes its connection, which makes the server abort the generation.
 * <pre>{@code
 * LanguageModel model = new OpenAiCompatibleModel(
 *         OpenAiClientConfig.of("http://localhost:8000").withModel("TheBloke/bagel-8x7b-v0.2-GPTQ"));
 * model.generate(GenerationRequest.of(prompt)).subscribe(System.out::print);
 * }</pre>
 */
public final class OpenAiCompatibleModel implements LanguageModel {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final OpenAiClientConfig config;
    private final ModelHttpTransport transport;
    private final RetryBackoff backoff;

    /** A client on Reactor Netty's shared connection pool and event loops. */
    public OpenAiCompatibleModel(OpenAiClientConfig config) {
        this(config, HttpClient.create());
    }

    /**
     * A client on a given Reactor Netty client (its own pool, TLS, proxy, metrics); the timeouts, headers and
     * redirect policy of {@code config} are applied on top of it.
     */
    public OpenAiCompatibleModel(OpenAiClientConfig config, HttpClient httpClient) {
        this.config = Objects.requireNonNull(config, "config");
        this.transport = new ModelHttpTransport(Objects.requireNonNull(httpClient, "httpClient"), config.apiKey(),
                config.timeouts());
        this.backoff = new RetryBackoff(config.retry());
    }

    public OpenAiClientConfig config() {
        return config;
    }

    @Override
    public Flux<String> generate(GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        URI url = config.endpoint();
        return Flux.defer(() -> {
            byte[] body = JSON.writeValueAsBytes(OpenAiRequestBody.of(config, request));
            return RemoteCompletion.stream(
                    () -> OpenAiStreamReader.texts(transport.post(url, body, "text/event-stream"), url, config.mode()),
                    backoff, request.options().stopSequences());
        });
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleModel[" + config.endpoint() + (config.model() == null ? "" : ", " + config.model())
                + "]";
    }
}
