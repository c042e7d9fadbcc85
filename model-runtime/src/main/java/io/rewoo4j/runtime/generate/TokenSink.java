package io.rewoo4j.runtime.generate;

/** Receives each generated token as it is made; returning {@code false} ends the generation ({@link StopReason#STOPPED}). */
@FunctionalInterface
public interface TokenSink {
    boolean accept(int token);
}
