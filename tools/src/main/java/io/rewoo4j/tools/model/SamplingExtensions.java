package io.rewoo4j.tools.model;

/**
 * How an {@link OpenAiCompatibleModel} sends the sampling settings that the OpenAI API does not define
 * ({@code topK}, {@code repetitionPenalty}). They are sent only when they are not neutral (top-k above 0, a repetition
 * penalty other than 1), so a greedy default request is plain OpenAI whatever this says.
 */
public enum SamplingExtensions {

    /** {@code top_k} and {@code repetition_penalty}, the names vLLM (and TGI's and SGLang's OpenAI routes) accept. */
    VLLM,

    /** {@code top_k} and {@code repeat_penalty}, the names of llama.cpp's server. */
    LLAMA_CPP,

    /** Neither: for servers that reject unknown fields (OpenAI itself). The settings are then ignored. */
    NONE
}
