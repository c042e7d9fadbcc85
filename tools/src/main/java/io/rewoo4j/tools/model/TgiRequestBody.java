package io.rewoo4j.tools.model;

import java.util.List;

import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON body of TGI's {@code /generate} and {@code /generate_stream}:
 * {@code {"inputs", "parameters": {max_new_tokens, do_sample, temperature, top_k, top_p, repetition_penalty, stop,
 * seed, return_full_text}}}.
 * <p>
 * TGI validates strictly: temperature, top-k and the repetition penalty must be positive and top-p below 1, and any of
 * temperature, top-k or top-p switches sampling on. So greedy decoding (temperature 0) is {@code do_sample: false}
 * with none of the three; otherwise each is sent only when it is not neutral.
 */
final class TgiRequestBody {

    /** TGI's default {@code --max-stop-sequences}; more fail validation. The client cuts at all of them. */
    static final int MAX_SERVER_STOP_SEQUENCES = 4;

    private TgiRequestBody() {
    }

    static ObjectNode of(GenerationRequest request) {
        GenerationOptions options = request.options();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("inputs", request.prompt());
        ObjectNode parameters = body.putObject("parameters");
        parameters.put("max_new_tokens", options.maxTokens());
        boolean sample = options.temperature() > 0;
        parameters.put("do_sample", sample);
        if (sample) {
            parameters.put("temperature", options.temperature());
            if (options.topK() > 0) {
                parameters.put("top_k", options.topK());
            }
            if (options.topP() < 1) {
                parameters.put("top_p", options.topP());
            }
        }
        if (options.repetitionPenalty() != 1) {
            parameters.put("repetition_penalty", options.repetitionPenalty());
        }
        List<String> stops = RemoteCompletion.serverStopSequences(options.stopSequences(), MAX_SERVER_STOP_SEQUENCES);
        if (!stops.isEmpty()) {
            ArrayNode stop = parameters.putArray("stop");
            stops.forEach(stop::add);
        }
        if (options.seed() != null) {
            parameters.put("seed", options.seed());
        }
        parameters.put("return_full_text", false);
        return body;
    }
}
