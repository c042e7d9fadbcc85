package io.rewoo4j.runtime.config;

/** How a GPTQ checkpoint stores its zero points. */
public enum CheckpointFormat {
    /** {@code "gptq"}: AutoGPTQ's original layout, {@code qzeros} hold zero − 1. */
    GPTQ_V1("gptq"),
    /** {@code "gptq_v2"}: GPTQModel's layout, {@code qzeros} hold the zero itself. */
    GPTQ_V2("gptq_v2");

    private final String jsonName;

    CheckpointFormat(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    /** What to add to a stored zero to get the real one. */
    public int zeroOffset() {
        return this == GPTQ_V1 ? 1 : 0;
    }
}
