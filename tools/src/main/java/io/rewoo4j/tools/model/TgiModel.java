package io.rewoo4j.tools.model;

import java.net.URI;
import java.util.Objects;

import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link LanguageModel} served by Hugging Face Text Generation Inference through its native API, as the model
 * cards' examples use it: {@code /generate_stream} (tokens as Server-Sent Events; the default) or {@code /generate}
 * (one JSON answer). See {@code docs/model-clients.md} for what is sent.
 * <p>
 * Stop sequences: the first four go to the server (TGI's default limit); all are cut client-side, which also removes
 * the stop sequence TGI leaves at the end of its text. Failures are {@link ModelClientException}s; those that may pass
 * are retried with backoff as long as no text has been emitted. Cancelling a subscription closes its connection,
 * which makes TGI drop the request.
 * <pre>{@code
 * LanguageModel model = new TgiModel(TgiClientConfig.of("http://localhost:3000"));
 * }</pre>
 */
public final class TgiModel implements LanguageModel {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final TgiClientConfig config;
    private final ModelHttpTransport transport;
    private final RetryBackoff backoff;

    /** A client on Reactor Netty's shared connection pool and event loops. */
    public TgiModel(TgiClientConfig config) {
        this(config, HttpClient.create());
    }

    /**
     * A client on a given Reactor Netty client (its own pool, TLS, proxy, metrics); the timeouts, headers and
     * redirect policy of {@code config} are applied on top of it.
     */
    public TgiModel(TgiClientConfig config, HttpClient httpClient) {
        this.config = Objects.requireNonNull(config, "config");
        this.transport = new ModelHttpTransport(Objects.requireNonNull(httpClient, "httpClient"), config.apiKey(),
                config.timeouts());
        this.backoff = new RetryBackoff(config.retry());
    }

    public TgiClientConfig config() {
        return config;
    }

    @Override
    public Flux<String> generate(GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        URI url = config.url();
        return Flux.defer(() -> {
            byte[] body = JSON.writeValueAsBytes(TgiRequestBody.of(request));
            return RemoteCompletion.stream(() -> switch (config.endpoint()) {
                case GENERATE_STREAM -> TgiResponseReader.streamedTexts(
                        transport.post(url, body, "text/event-stream"), url);
                case GENERATE -> TgiResponseReader.generatedText(
                        transport.post(url, body, "application/json"), url).flux();
            }, backoff, request.options().stopSequences());
        });
    }

    @Override
    public String toString() {
        return "TgiModel[" + config.url() + "]";
    }
}
