package io.rewoo4j.runtime.config;

import java.util.Locale;

/** The {@code model_type} values of {@code config.json} that the runtime serves. */
public enum ModelType {
    LLAMA("llama"), MISTRAL("mistral"), MIXTRAL("mixtral");

    private final String jsonName;

    ModelType(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The spelling used in {@code config.json}. */
    public String jsonName() {
        return jsonName;
    }

    /** Whether blocks are mixtures of experts ({@code block_sparse_moe}). */
    public boolean isMixtureOfExperts() {
        return this == MIXTRAL;
    }

    static ModelType fromJson(String source, String value) {
        for (ModelType t : values()) {
            if (t.jsonName.equals(value.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new InvalidConfigException(source, "unsupported model_type '" + value
                + "' (supported: llama, mistral, mixtral)");
    }
}
