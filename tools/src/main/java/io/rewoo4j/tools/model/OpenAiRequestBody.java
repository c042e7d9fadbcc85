package io.rewoo4j.tools.model;

import java.util.List;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON body of a streamed OpenAI completions or chat completions request. Settings at their neutral value are
 * left out, so that the server's own handling applies and strict servers see only what they know.
 */
final class OpenAiRequestBody {

    /** OpenAI accepts at most four stop sequences; the client cuts at all of them. */
    static final int MAX_SERVER_STOP_SEQUENCES = 4;

    private OpenAiRequestBody() {
    }

    static ObjectNode of(OpenAiClientConfig config, GenerationRequest request) {
        GenerationOptions options = request.options();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (config.model() != null) {
            body.put("model", config.model());
        }
        switch (config.mode()) {
            case COMPLETIONS -> body.put("prompt", request.prompt());
            case CHAT_COMPLETIONS -> body.putArray("messages").addObject()
                    .put("role", "user")
                    .put("content", request.prompt());
        }
        body.put("stream", true);
        body.put("max_tokens", options.maxTokens());
        // 0 is greedy on vLLM, llama.cpp, Ollama and TGI's Messages API alike.
        body.put("temperature", options.temperature());
        if (options.topP() < 1) {
            body.put("top_p", options.topP());
        }
        if (options.seed() != null) {
            body.put("seed", options.seed());
        }
        List<String> stops = RemoteCompletion.serverStopSequences(options.stopSequences(), MAX_SERVER_STOP_SEQUENCES);
        if (!stops.isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            stops.forEach(stop::add);
        }
        if (config.samplingExtensions() != SamplingExtensions.NONE) {
            if (options.topK() > 0) {
                body.put("top_k", options.topK());
            }
            if (options.repetitionPenalty() != 1) {
                body.put(config.samplingExtensions() == SamplingExtensions.LLAMA_CPP ? "repeat_penalty"
                        : "repetition_penalty", options.repetitionPenalty());
            }
        }
        return body;
    }
}
