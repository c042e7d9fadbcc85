package io.rewoo4j.core.model;

import reactor.core.publisher.Flux;

/**
 * A text completion model: the local GPTQ runtime, or a remote OpenAI-compatible or TGI server.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #generate(GenerationRequest)} is lazy and cold: each subscription is one completion.</li>
 *   <li>It emits the completion's text as it is decoded, in chunks of any size (a token, a word, or everything at
 *       once); concatenating the chunks gives the completion. The prompt is not echoed.</li>
 *   <li>Generation stops at EOS, at {@code maxTokens}, or just before the first
 *       {@linkplain GenerationOptions#stopSequences() stop sequence}, which is not emitted. Implementations that
 *       cannot stop server-side must cut the text themselves, also when a stop sequence spans chunks.</li>
 *   <li>Cancelling the subscription stops generation and frees the model (or the HTTP request) promptly: the agent
 *       cancels when a run is abandoned.</li>
 *   <li>Failures (unreachable server, out of memory) are error signals; an empty completion is an empty flux.</li>
 *   <li>It must not block the subscribing thread; a local model decodes on its own threads.</li>
 * </ul>
 * Implementations are thread-safe; whether concurrent completions run in parallel or queue is theirs to decide.
 */
public interface LanguageModel {

    /** Streams the completion of {@code request.prompt()}; see the class contract. */
    Flux<String> generate(GenerationRequest request);
}
