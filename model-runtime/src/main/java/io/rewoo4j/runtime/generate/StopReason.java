package io.rewoo4j.runtime.generate;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced an end-of-sequence token (not included in the output). */
    EOS,
    /** {@code maxTokens} tokens were produced. */
    MAX_TOKENS,
    /** The session's context is full. */
    CONTEXT_FULL,
    /** The {@link TokenSink} asked to stop. */
    STOPPED,
    /** The text reached one of the stop strings ({@link TextGenerator}). */
    STOP_STRING
}
