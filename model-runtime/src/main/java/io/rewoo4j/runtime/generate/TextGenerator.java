package io.rewoo4j.runtime.generate;

import java.util.List;
import java.util.function.Consumer;

import io.rewoo4j.runtime.model.Session;
import io.rewoo4j.runtime.tokenizer.StreamingDecoder;
import io.rewoo4j.runtime.tokenizer.Tokenizer;

/**
 * Text in, text out: encodes the prompt, generates with a {@link Generator}, streams the decoded text and stops at
 * the first stop string. Text that might be the start of a stop string is held back until it is known not to be,
 * so a consumer never sees any part of a stop string; the result's text ends just before it.
 */
public final class TextGenerator {
    private final Generator generator;
    private final Tokenizer tokenizer;

    /** Stops on the model's {@code eos_token_id}s. */
    public TextGenerator(Session session, Tokenizer tokenizer) {
        this.generator = new Generator(session);
        this.tokenizer = tokenizer;
    }

    public TextGenerator(Session session, Tokenizer tokenizer, List<Integer> eosTokenIds) {
        this.generator = new Generator(session, eosTokenIds);
        this.tokenizer = tokenizer;
    }

    /**
     * The generated text and tokens.
     *
     * @param text       the decoded text, cut before the stop string that ended it (if one did)
     * @param generation the tokens (including those that spelled the stop string) and the stop reason
     */
    public record Result(String text, GenerationResult generation) {
    }

    /** Encodes {@code prompt} (BOS as the tokenizer config says) and generates. */
    public Result generate(String prompt, int maxTokens, SamplingSettings settings, List<String> stopStrings,
            Consumer<String> onText) {
        return generate(tokenizer.encode(prompt), maxTokens, settings, stopStrings, onText);
    }

    /** Generates after prompt tokens; {@code onText} receives the text as it becomes final. */
    public Result generate(int[] prompt, int maxTokens, SamplingSettings settings, List<String> stopStrings,
            Consumer<String> onText) {
        List<String> stops = stopStrings.stream().filter(s -> !s.isEmpty()).toList();
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        TextState state = new TextState(stops, onText);
        GenerationResult g = generator.generate(prompt, maxTokens, new Sampler(settings),
                token -> state.append(decoder.accept(token)));
        if (g.stopReason() == StopReason.STOPPED) {
            return new Result(state.text(), new GenerationResult(g.tokens(), g.promptTokens(),
                    StopReason.STOP_STRING));
        }
        if (!state.append(decoder.finish())) {
            return new Result(state.text(), new GenerationResult(g.tokens(), g.promptTokens(),
                    StopReason.STOP_STRING));
        }
        state.flush();
        return new Result(state.text(), g);
    }

    /** The text so far, how much of it was handed out, and the stop-string search. */
    private static final class TextState {
        private final List<String> stops;
        private final Consumer<String> onText;
        private final StringBuilder text = new StringBuilder();
        private int emitted;
        private int end = -1;

        TextState(List<String> stops, Consumer<String> onText) {
            this.stops = stops;
            this.onText = onText;
        }

        /** Adds decoded text; false once a stop string is complete. */
        boolean append(String piece) {
            text.append(piece);
            int first = -1;
            for (String s : stops) {
                int i = text.indexOf(s, emitted);
                if (i >= 0 && (first < 0 || i < first)) {
                    first = i;
                }
            }
            if (first >= 0) {
                emitTo(first);
                end = first;
                return false;
            }
            emitTo(text.length() - heldBack());
            return true;
        }

        /** Length of the longest suffix of the text that is a proper prefix of a stop string. */
        private int heldBack() {
            int hold = 0;
            for (String s : stops) {
                for (int k = Math.min(s.length() - 1, text.length() - emitted); k > hold; k--) {
                    if (endsWith(s, k)) {
                        hold = k;
                        break;
                    }
                }
            }
            return hold;
        }

        private boolean endsWith(String stop, int k) {
            int from = text.length() - k;
            for (int i = 0; i < k; i++) {
                if (text.charAt(from + i) != stop.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        void flush() {
            emitTo(text.length());
        }

        private void emitTo(int to) {
            if (to > emitted) {
                onText.accept(text.substring(emitted, to));
                emitted = to;
            }
        }

        String text() {
            return end >= 0 ? text.substring(0, end) : text.toString();
        }
    }
}
