package io.rewoo4j.runtime.model;

/** Thrown when a session would grow past the model's context length ({@code max_position_embeddings}). */
public class ContextFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ContextFullException(int length, int more, int maxPositions) {
        super("context full: " + length + " positions cached, " + more + " more requested, the model allows "
                + maxPositions);
    }
}
