package io.rewoo4j.config.model;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.tools.model.OpenAiMode;
import io.rewoo4j.tools.model.SamplingExtensions;
import io.rewoo4j.tools.model.TgiEndpoint;

/**
 * The language model that plans, answers KnowledgeModel questions and solves ({@code rewoo.model.*}).
 *
 * @param provider     where the model runs: {@code embedded} (the local GPTQ runtime, from {@code path}),
 *                     {@code openai} (an OpenAI-compatible server at {@code base-url}) or {@code tgi} (Hugging Face
 *                     TGI at {@code base-url}); unset means no model: tool-only plans still run, model calls answer
 *                     503 saying what to configure
 * @param path         the checkpoint folder of the embedded model
 * @param backend      the embedded runtime's backend: {@code auto} (the CUDA backend when a CUDA device is usable
 *                     and the model fits in its free memory, else the CPU, saying why once in the log), {@code cpu},
 *                     or {@code cuda} (falls back to the CPU with a warning giving the reason when no device is
 *                     usable)
 * @param baseUrl      the server of a remote model
 * @param name         the model name sent to an OpenAI-compatible server; also used to detect the prompt format
 * @param apiKey       the bearer token for a remote model; empty for none
 * @param promptFormat {@code alpaca}, {@code vicuna}, {@code llama-2}, {@code chatml} or {@code mistral}; empty to
 *                     detect it from the model's name or path (falling back to {@code llama-2})
 * @param openai       OpenAI-compatible protocol details
 * @param tgi          TGI protocol details
 * @param timeouts     remote-model timeouts
 * @param retry        remote-model retries (before any text has arrived)
 * @param contextLength the most tokens (prompt and completion) one embedded-model completion may hold
 */
@ConfigurationProperties("rewoo.model")
public record ModelProperties(Provider provider, Path path, @DefaultValue("auto") Backend backend, URI baseUrl,
                              String name, String apiKey, String promptFormat, @DefaultValue OpenAi openai,
                              @DefaultValue Tgi tgi, @DefaultValue Timeouts timeouts, @DefaultValue Retry retry,
                              @DefaultValue("4096") int contextLength) {

    /** Where the model runs. */
    public enum Provider { EMBEDDED, OPENAI, TGI }

    /** The embedded runtime's backend. */
    public enum Backend { AUTO, CPU, CUDA }

    /**
     * @param mode               {@code completions} (the raw formatted prompt; the default) or {@code chat-completions}
     * @param samplingExtensions how top-k and repetition penalty are sent: {@code vllm}, {@code llama-cpp} or {@code none}
     */
    public record OpenAi(@DefaultValue("completions") OpenAiMode mode,
                         @DefaultValue("vllm") SamplingExtensions samplingExtensions) {
    }

    /** @param endpoint {@code generate-stream} (the default) or {@code generate} */
    public record Tgi(@DefaultValue("generate-stream") TgiEndpoint endpoint) {
    }

    /**
     * @param connect  how long to wait for a connection
     * @param response how long to wait for the response to start
     * @param idle     the longest pause allowed between streamed chunks
     */
    public record Timeouts(@DefaultValue("10s") Duration connect, @DefaultValue("120s") Duration response,
                           @DefaultValue("60s") Duration idle) {
    }

    /**
     * @param maxRetries     retries on 429, 5xx and connection failures
     * @param initialBackoff the first wait, doubled each retry
     * @param maxBackoff     the longest wait
     */
    public record Retry(@DefaultValue("3") int maxRetries, @DefaultValue("500ms") Duration initialBackoff,
                        @DefaultValue("30s") Duration maxBackoff) {
    }

    /**
     * The prompt format: the configured one, else detected from the name or path, else llama-2 chat.
     *
     * @throws IllegalStateException naming the accepted values when {@code prompt-format} is not one of them
     */
    public PromptFormat resolvedPromptFormat() {
        if (promptFormat != null && !promptFormat.isBlank()) {
            return PromptFormat.fromName(promptFormat).orElseThrow(() -> new IllegalStateException(
                    "rewoo.model.prompt-format=" + promptFormat + " is not a known format; use one of "
                            + String.join(", ", Arrays.stream(PromptFormat.values()).map(PromptFormat::id).toList())));
        }
        return PromptFormat.detect(name)
                .or(() -> PromptFormat.detect(path == null ? null : path.toString()))
                .orElse(PromptFormat.LLAMA2_CHAT);
    }

    /** A one-line description for logs, health and errors (never the API key). */
    public String describe() {
        if (provider == null) {
            return "none";
        }
        String where = provider == Provider.EMBEDDED ? String.valueOf(path) + " (" + backend.name().toLowerCase(Locale.ROOT) + ")"
                : String.valueOf(baseUrl) + (name == null ? "" : " " + name);
        return provider.name().toLowerCase(Locale.ROOT) + " " + where;
    }
}
