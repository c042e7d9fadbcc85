/**
 * Remote {@link io.rewoo4j.core.model.LanguageModel} clients: {@link io.rewoo4j.tools.model.OpenAiCompatibleModel}
 * (vLLM, llama.cpp, Ollama, TGI's Messages API, LM Studio) and {@link io.rewoo4j.tools.model.TgiModel} (TGI's native
 * API), configured by {@link io.rewoo4j.tools.model.OpenAiClientConfig} and
 * {@link io.rewoo4j.tools.model.TgiClientConfig}.
 * <p>
 * Both stream over Reactor Netty, decode Server-Sent Events with {@link io.rewoo4j.tools.model.SseDecoder}, cut stop
 * sequences with {@link io.rewoo4j.tools.model.StopSequenceCutter}, retry with backoff only before any text has been
 * emitted, and fail with the sealed {@link io.rewoo4j.tools.model.ModelClientException} hierarchy.
 */
package io.rewoo4j.tools.model;
