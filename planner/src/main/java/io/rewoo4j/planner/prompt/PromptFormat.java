package io.rewoo4j.planner.prompt;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How an instruction model expects its prompt to be wrapped: the formats the seeded model cards define.
 *
 * <p>{@link #wrap(String, String)} returns the text to hand to the model; where a format begins with the tokenizer's
 * BOS ({@code <s>}), it is left to the tokenizer (which adds it per {@code tokenizer_config.json}) and not written as
 * text.
 */
public enum PromptFormat {

    /** Alpaca: {@code ### Instruction:} / {@code ### Response:}. */
    ALPACA("alpaca"),
    /** Vicuna: an optional system line, then {@code USER: ...} and {@code ASSISTANT: }. */
    VICUNA("vicuna"),
    /** Llama-2 chat: {@code [INST] <<SYS>>...<</SYS>> ... [/INST]}. */
    LLAMA2_CHAT("llama-2"),
    /** The "ChatML (sort of)" format: role names on their own lines, messages closed by {@code </s>}. */
    CHATML("chatml"),
    /** Mistral instruct: {@code [INST] ... [/INST]}, no system prompt (it is prepended to the instruction). */
    MISTRAL("mistral");

    private final String id;

    PromptFormat(String id) {
        this.id = id;
    }

    /** The property value naming this format ({@code alpaca}, {@code vicuna}, {@code llama-2}, {@code chatml}, {@code mistral}). */
    public String id() {
        return id;
    }

    /**
     * The format for a property value or model name: accepts the {@link #id()}s and common spellings
     * ({@code llama2}, {@code llama-2-chat}, {@code chat-ml}, {@code mistral-instruct}, {@code inst}).
     */
    public static Optional<PromptFormat> fromName(String name) {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Wraps a system prompt (may be null or blank) and a user instruction.
     */
    public String wrap(String system, String instruction) {
        throw new UnsupportedOperationException("stub");
    }

    /** Strings after which a completion should stop in this format (besides EOS). */
    public List<String> stopSequences() {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
