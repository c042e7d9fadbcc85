package io.rewoo4j.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import tools.jackson.databind.JsonNode;

/**
 * The architecture of a Llama, Mistral or Mixtral checkpoint, typed from Hugging Face {@code config.json}. The JSON
 * never leaves {@link #parse}: everything past this boundary reads these fields.
 *
 * @param modelType             llama, mistral or mixtral
 * @param hiddenSize            {@code hidden_size}
 * @param intermediateSize      {@code intermediate_size} (per expert for Mixtral)
 * @param numLayers             {@code num_hidden_layers}
 * @param numHeads              {@code num_attention_heads}
 * @param numKeyValueHeads      {@code num_key_value_heads} (defaults to {@code numHeads})
 * @param headDim               {@code head_dim} (defaults to {@code hiddenSize / numHeads})
 * @param vocabSize             {@code vocab_size}
 * @param rmsNormEps            {@code rms_norm_eps}
 * @param ropeTheta             {@code rope_theta} (default 10000)
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param slidingWindow         {@code sliding_window}, empty when null or absent
 * @param numLocalExperts       {@code num_local_experts} (Mixtral), 0 otherwise
 * @param numExpertsPerToken    {@code num_experts_per_tok} (Mixtral), 0 otherwise
 * @param tieWordEmbeddings     {@code tie_word_embeddings} (default false)
 * @param bosTokenId            {@code bos_token_id}, -1 when absent
 * @param eosTokenIds           {@code eos_token_id}, a number or a list in the JSON
 */
public record ModelConfig(
        ModelType modelType,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKeyValueHeads,
        int headDim,
        int vocabSize,
        float rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        OptionalInt slidingWindow,
        int numLocalExperts,
        int numExpertsPerToken,
        boolean tieWordEmbeddings,
        int bosTokenId,
        List<Integer> eosTokenIds) {

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Reads {@code config.json} in {@code modelDir} (or the file itself). */
    public static ModelConfig load(Path modelDirOrFile) {
        Path file = modelDirOrFile.toString().endsWith(".json") ? modelDirOrFile : modelDirOrFile.resolve("config.json");
        return from(JsonFields.read(file));
    }

    /** Parses {@code config.json} text; {@code source} names it in errors. */
    public static ModelConfig parse(String source, String json) {
        return from(JsonFields.parse(source, json));
    }

    private static ModelConfig from(JsonFields f) {
        String src = f.source();
        ModelType type = ModelType.fromJson(src, f.requireString("model_type"));
        int hidden = positive(f, "hidden_size");
        int intermediate = positive(f, "intermediate_size");
        int layers = positive(f, "num_hidden_layers");
        int heads = positive(f, "num_attention_heads");
        int kvHeads = f.optInt("num_key_value_heads", heads);
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new InvalidConfigException(src, "num_key_value_heads " + kvHeads
                    + " must be positive and divide num_attention_heads " + heads);
        }
        Integer headDimField = f.optIntOrNull("head_dim");
        int headDim;
        if (headDimField != null) {
            headDim = headDimField;
        } else {
            if (hidden % heads != 0) {
                throw new InvalidConfigException(src, "hidden_size " + hidden
                        + " is not a multiple of num_attention_heads " + heads + " and no head_dim is given");
            }
            headDim = hidden / heads;
        }
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new InvalidConfigException(src, "head_dim " + headDim + " must be positive and even (RoPE pairs)");
        }
        int vocab = positive(f, "vocab_size");
        double eps = f.optDouble("rms_norm_eps", 1e-6);
        if (!(eps > 0)) {
            throw new InvalidConfigException(src, "rms_norm_eps must be positive, got " + eps);
        }
        double theta = f.optDouble("rope_theta", 10000.0);
        if (!(theta > 0)) {
            throw new InvalidConfigException(src, "rope_theta must be positive, got " + theta);
        }
        if (f.has("rope_scaling")) {
            throw new InvalidConfigException(src, "rope_scaling " + f.node().get("rope_scaling")
                    + " is not supported (only plain RoPE)");
        }
        String act = f.optString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new InvalidConfigException(src, "hidden_act '" + act + "' is not supported (only silu)");
        }
        int maxPos = f.optInt("max_position_embeddings", 2048);
        Integer window = f.optIntOrNull("sliding_window");
        if (window != null && window <= 0) {
            throw new InvalidConfigException(src, "sliding_window must be positive or null, got " + window);
        }
        int experts = 0;
        int perToken = 0;
        if (type.isMixtureOfExperts()) {
            experts = positive(f, "num_local_experts");
            perToken = positive(f, "num_experts_per_tok");
            if (perToken > experts) {
                throw new InvalidConfigException(src, "num_experts_per_tok " + perToken
                        + " exceeds num_local_experts " + experts);
            }
        }
        boolean tie = f.optBoolean("tie_word_embeddings", false);
        int bos = f.optInt("bos_token_id", -1);
        List<Integer> eos = eosIds(f);
        return new ModelConfig(type, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, (float) eps, theta,
                maxPos, window == null ? OptionalInt.empty() : OptionalInt.of(window), experts, perToken, tie, bos,
                eos);
    }

    private static List<Integer> eosIds(JsonFields f) {
        JsonNode v = f.node().get("eos_token_id");
        List<Integer> ids = new ArrayList<>();
        if (v == null || v.isNull()) {
            return ids;
        }
        if (v.isArray()) {
            for (JsonNode e : v.values()) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw new InvalidConfigException(f.source(), "eos_token_id " + v + " must hold integers");
                }
                ids.add(e.intValue());
            }
        } else if (v.isIntegralNumber() && v.canConvertToInt()) {
            ids.add(v.intValue());
        } else {
            throw new InvalidConfigException(f.source(), "eos_token_id must be an integer or a list, got " + v);
        }
        return ids;
    }

    private static int positive(JsonFields f, String field) {
        int v = f.requireInt(field);
        if (v <= 0) {
            throw new InvalidConfigException(f.source(), "'" + field + "' must be positive, got " + v);
        }
        return v;
    }

    /** Width of the key/value projections: {@code numKeyValueHeads * headDim}. */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    /** Query heads that share one key/value head. */
    public int queriesPerKeyValueHead() {
        return numHeads / numKeyValueHeads;
    }
}
