package io.rewoo4j.tools.model;

/** Which OpenAI endpoint an {@link OpenAiCompatibleModel} calls. */
public enum OpenAiMode {

    /**
     * {@code POST /v1/completions} with the formatted prompt as is. The default: the planner's prompt formats (alpaca,
     * vicuna, llama-2 chat, mistral {@code [INST]}) must reach the model exactly as written.
     */
    COMPLETIONS,

    /**
     * {@code POST /v1/chat/completions} with the prompt as the one user message. The server applies its chat template
     * around it, so use it with servers that offer no raw completions endpoint (TGI's Messages API) and a prompt format
     * that does not wrap the prompt again.
     */
    CHAT_COMPLETIONS
}
