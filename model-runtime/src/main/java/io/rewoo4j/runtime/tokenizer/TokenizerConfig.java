package io.rewoo4j.runtime.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a model directory's {@code tokenizer_config.json} (and {@code special_tokens_map.json}) say about
 * special tokens: whether encoding adds BOS/EOS, and which pieces they are.
 *
 * @param addBos whether {@link Tokenizer#encode(String)} puts BOS first ({@code add_bos_token})
 * @param addEos whether {@link Tokenizer#encode(String)} puts EOS last ({@code add_eos_token})
 * @param bosToken the BOS piece, or {@code null} to use the model file's {@code bos_id}
 * @param eosToken the EOS piece, or {@code null} to use the model file's {@code eos_id}
 */
public record TokenizerConfig(boolean addBos, boolean addEos, String bosToken, String eosToken) {

    static final String FILE = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";

    /** Without a config file: BOS added, EOS not (transformers' Llama tokenizer defaults); model's ids. */
    public static final TokenizerConfig DEFAULT = new TokenizerConfig(true, false, null, null);

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * Reads {@code tokenizer_config.json} and {@code special_tokens_map.json} from {@code modelDir}; missing
     * files and missing keys keep {@link #DEFAULT}'s values. A token may be a string or an
     * {@code {"content": ...}} object.
     */
    public static TokenizerConfig read(Path modelDir) throws IOException {
        boolean addBos = DEFAULT.addBos;
        boolean addEos = DEFAULT.addEos;
        String bos = null;
        String eos = null;
        Path special = modelDir.resolve(SPECIAL_TOKENS_FILE);
        if (Files.isRegularFile(special)) {
            JsonNode root = readJson(special);
            bos = token(root, "bos_token", special);
            eos = token(root, "eos_token", special);
        }
        Path config = modelDir.resolve(FILE);
        if (Files.isRegularFile(config)) {
            JsonNode root = readJson(config);
            addBos = bool(root, "add_bos_token", addBos, config);
            addEos = bool(root, "add_eos_token", addEos, config);
            String configBos = token(root, "bos_token", config);
            String configEos = token(root, "eos_token", config);
            bos = configBos != null ? configBos : bos;
            eos = configEos != null ? configEos : eos;
        }
        return new TokenizerConfig(addBos, addEos, bos, eos);
    }

    static JsonNode readJson(Path file) throws IOException {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new TokenizerFormatException(file.toString(), null, "not a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw new TokenizerFormatException(file.toString(), null, "invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean bool(JsonNode root, String field, boolean fallback, Path file) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw new TokenizerFormatException(file.toString(), field, "expected true or false, got " + node);
        }
        return node.booleanValue();
    }

    private static String token(JsonNode root, String field, Path file) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isObject() && node.get("content") != null && node.get("content").isString()) {
            return node.get("content").stringValue();
        }
        throw new TokenizerFormatException(file.toString(), field,
                "expected a string or an object with \"content\", got " + node);
    }
}
