package io.rewoo4j.runtime.generate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

import io.rewoo4j.runtime.model.ContextFullException;
import io.rewoo4j.runtime.model.Session;

/**
 * Prefills a prompt into a {@link Session}, then decodes token by token with a {@link Sampler} until an EOS token,
 * {@code maxTokens}, a full context, or a {@link TokenSink} that asks to stop. Text, streaming and stop strings are
 * layered on top by {@link TextGenerator}.
 */
public final class Generator {
    private final Session session;
    private final int[] eosTokenIds;

    /** Stops on the model's {@code eos_token_id}s from config.json. */
    public Generator(Session session) {
        this(session, session.model().config().eosTokenIds());
    }

    /** Stops on {@code eosTokenIds} (empty: never stops on a token). */
    public Generator(Session session, List<Integer> eosTokenIds) {
        this.session = Objects.requireNonNull(session, "session");
        this.eosTokenIds = eosTokenIds.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Generates up to {@code maxTokens} after {@code prompt} with {@code settings}. */
    public GenerationResult generate(int[] prompt, int maxTokens, SamplingSettings settings) {
        return generate(prompt, maxTokens, new Sampler(settings), t -> true);
    }

    /** Greedy generation, calling {@code onToken} for each token as it is made. */
    public GenerationResult generate(int[] prompt, int maxTokens, IntConsumer onToken) {
        return generate(prompt, maxTokens, new Sampler(SamplingSettings.greedy()), t -> {
            onToken.accept(t);
            return true;
        });
    }


    /**
     * Appends {@code prompt} to the session (which may already hold earlier turns) and generates. The repetition
     * penalty sees the whole prompt and the tokens generated so far. Afterwards the session holds the prompt and
     * every generated token but the last (whose logits were not needed); a caller continuing the conversation
     * feeds that token first.
     */
    public GenerationResult generate(int[] prompt, int maxTokens, Sampler sampler, TokenSink sink) {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be ≥ 0, got " + maxTokens);
        }
        int[] context = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int length = prompt.length;
        int[] out = new int[maxTokens];
        int produced = 0;
        if (maxTokens == 0) {
            return new GenerationResult(out, prompt.length, StopReason.MAX_TOKENS);
        }
        float[] logits;
        try {
            logits = session.logits(prompt);
        } catch (ContextFullException e) {
            return new GenerationResult(new int[0], prompt.length, StopReason.CONTEXT_FULL);
        }
        while (true) {
            int token = sampler.sample(logits, Arrays.copyOf(context, length));
            if (isEos(token)) {
                return new GenerationResult(Arrays.copyOf(out, produced), prompt.length, StopReason.EOS);
            }
            out[produced++] = token;
            context[length++] = token;
            if (!sink.accept(token)) {
                return new GenerationResult(Arrays.copyOf(out, produced), prompt.length, StopReason.STOPPED);
            }
            if (produced == maxTokens) {
                return new GenerationResult(out, prompt.length, StopReason.MAX_TOKENS);
            }
            if (session.length() >= session.maxPositions()) {
                return new GenerationResult(Arrays.copyOf(out, produced), prompt.length, StopReason.CONTEXT_FULL);
            }
            logits = session.next(token);
        }
    }

    private boolean isEos(int token) {
        for (int e : eosTokenIds) {
            if (e == token) {
                return true;
            }
        }
        return false;
    }
}
