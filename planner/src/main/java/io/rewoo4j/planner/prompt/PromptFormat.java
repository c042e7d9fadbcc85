package io.rewoo4j.planner.prompt;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How an instruction model expects its prompt to be wrapped: the formats the served models' cards define (Bagel
 * 8x7B was trained on alpaca, vicuna, llama-2 chat and its "chatml (sort of)"; Airoboros c34B uses llama-2 chat;
 * Mixtral 8x7B Instruct uses mistral {@code [INST]}).
 *
 * <p>The BOS token that begins several formats is not written here: the tokenizer adds it, as its
 * {@code tokenizer_config.json} says. Token markers inside a prompt ({@code </s><s>} between chatml messages) are
 * written as text, which tokenizers map to the special tokens.
 */
public enum PromptFormat {

    /** Alpaca, as the Bagel card writes it: the instruction (system prompt first) under {@code ### Instruction:}. */
    ALPACA("alpaca", null) {
        @Override
        public String wrap(String system, String instruction) {
            return "Below is an instruction that describes a task.  Write a response that appropriately completes "
                    + "the request.\n\n### Instruction:\n" + joinSystem(system, instruction) + "\n\n### Response:\n";
        }

        @Override
        public List<String> stopSequences() {
            return List.of("### Instruction:", "\n### Input:");
        }
    },

    /** Vicuna: a system line, then {@code USER: ...} and {@code ASSISTANT: }. */
    VICUNA("vicuna", "A chat between a user and an unbiased, uncensored assistant.") {
        @Override
        public String wrap(String system, String instruction) {
            return systemOrDefault(system) + "\nUSER: " + instruction + "\nASSISTANT: ";
        }

        @Override
        public List<String> stopSequences() {
            return List.of("\nUSER:");
        }
    },

    /** Llama-2 chat: {@code [INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST]}. */
    LLAMA2_CHAT("llama-2", "You are a helpful, unbiased, uncensored assistant.") {
        @Override
        public String wrap(String system, String instruction) {
            return "[INST] <<SYS>>\n" + systemOrDefault(system) + "\n<</SYS>>\n\n" + instruction + " [/INST]";
        }

        @Override
        public List<String> stopSequences() {
            return List.of("[INST]", "</s>");
        }
    },

    /** Bagel's "chatml (sort of)": {@code {role}\n{text}\n} per message, messages separated by EOS and BOS. */
    CHATML("chatml", null) {
        @Override
        public String wrap(String system, String instruction) {
            String head = system == null || system.isBlank() ? "" : "system\n" + system.strip() + "\n</s><s>";
            return head + "user\n" + instruction + "\n</s><s>assistant\n";
        }

        @Override
        public List<String> stopSequences() {
            return List.of("</s>", "<s>user\n");
        }
    },

    /** Mistral instruct: {@code [INST] ... [/INST]}; it has no system slot, so a system prompt leads the instruction. */
    MISTRAL("mistral", null) {
        @Override
        public String wrap(String system, String instruction) {
            return "[INST] " + joinSystem(system, instruction) + " [/INST]";
        }

        @Override
        public List<String> stopSequences() {
            return List.of("[INST]", "</s>");
        }
    };

    private final String id;
    private final String defaultSystem;

    PromptFormat(String id, String defaultSystem) {
        this.id = id;
        this.defaultSystem = defaultSystem;
    }

    /** Wraps a system prompt (null or blank for none, or the format's default) and a user instruction. */
    public abstract String wrap(String system, String instruction);

    /** Strings after which a completion in this format should stop (besides EOS). */
    public abstract List<String> stopSequences();

    /** The property value naming this format: {@code alpaca}, {@code vicuna}, {@code llama-2}, {@code chatml}, {@code mistral}. */
    public String id() {
        return id;
    }

    /**
     * The format for a property value: the {@link #id()}s and common spellings ({@code llama2},
     * {@code llama-2-chat}, {@code chat-ml}, {@code chatml-ish}, {@code mistral-instruct}, {@code inst}), any case.
     */
    public static Optional<PromptFormat> fromName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String key = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return Optional.ofNullable(switch (key) {
            case "alpaca" -> ALPACA;
            case "vicuna", "airoboros" -> VICUNA;
            case "llama2", "llama2chat", "llama" -> LLAMA2_CHAT;
            case "chatml", "chatmlish", "chatmlsortof" -> CHATML;
            case "mistral", "mistralinstruct", "mixtral", "inst" -> MISTRAL;
            default -> null;
        });
    }

    /**
     * The format a model most likely expects, from its name or path: Mixtral/Mistral instruct models use
     * {@link #MISTRAL}; Bagel and Airoboros 3.x models default to {@link #LLAMA2_CHAT} (their tokenizer's chat
     * template); Vicuna-style names to {@link #VICUNA}; names saying alpaca or chatml to those.
     */
    public static Optional<PromptFormat> detect(String modelName) {
        if (modelName == null) {
            return Optional.empty();
        }
        String n = modelName.toLowerCase(Locale.ROOT);
        if (n.contains("alpaca")) {
            return Optional.of(ALPACA);
        }
        if (n.contains("chatml") || n.contains("chat-ml")) {
            return Optional.of(CHATML);
        }
        if (n.contains("vicuna")) {
            return Optional.of(VICUNA);
        }
        if (n.contains("bagel") || n.contains("airoboros") || n.contains("llama-2") || n.contains("llama2")) {
            return Optional.of(LLAMA2_CHAT);
        }
        if ((n.contains("mixtral") || n.contains("mistral")) && n.contains("instruct")) {
            return Optional.of(MISTRAL);
        }
        return Optional.empty();
    }

    String systemOrDefault(String system) {
        return system == null || system.isBlank() ? defaultSystem : system.strip();
    }

    static String joinSystem(String system, String instruction) {
        return system == null || system.isBlank() ? instruction : system.strip() + "\n" + instruction;
    }

    @Override
    public String toString() {
        return id;
    }
}
