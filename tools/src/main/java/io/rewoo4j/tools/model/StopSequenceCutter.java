package io.rewoo4j.tools.model;

import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cuts streamed text just before the first stop sequence, also when the stop sequence spans chunks. It holds back only
 * a tail that could still grow into a stop sequence and passes everything else on at once, so a client sees text as
 * promptly as the server sends it.
 * <p>
 * "First" means first by position: with stops {@code "abcd"} and {@code "c"}, the text {@code "abc"} is held until the
 * next chunk shows whether {@code "abcd"} (which starts earlier) completes. Empty stop sequences are ignored.
 * <p>
 * One cutter per stream; not thread-safe. {@link #cut(Flux, List)} makes one per subscription.
 */
public final class StopSequenceCutter {

    private final List<String> stops;
    private final int longestStop;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    public StopSequenceCutter(List<String> stopSequences) {
        this.stops = stopSequences.stream().filter(s -> !s.isEmpty()).distinct().toList();
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * {@code chunks} cut before the first stop sequence: once one is seen, the text before it is emitted, the stream
     * completes and {@code chunks} is cancelled (which ends the HTTP request). Empty chunks are dropped. Cold: each
     * subscription has its own cutter.
     */
    public static Flux<String> cut(Flux<String> chunks, List<String> stopSequences) {
        if (stopSequences.stream().allMatch(String::isEmpty)) {
            return chunks.filter(chunk -> !chunk.isEmpty());
        }
        return Flux.defer(() -> {
            StopSequenceCutter cutter = new StopSequenceCutter(stopSequences);
            Flux<String> cutChunks = chunks.handle((chunk, sink) -> {
                String out = cutter.accept(chunk);
                if (!out.isEmpty()) {
                    sink.next(out);
                }
                if (cutter.isStopped()) {
                    sink.complete();
                }
            });
            return cutChunks.concatWith(Mono.fromSupplier(cutter::finish).filter(rest -> !rest.isEmpty()));
        });
    }

    /** Adds the next chunk; returns the text that can be emitted now (possibly empty). */
    public String accept(String chunk) {
        if (stopped) {
            return "";
        }
        pending.append(chunk);
        return drain(false);
    }

    /** Ends the text; returns what was held back (cut before a stop sequence if one is complete). */
    public String finish() {
        return stopped ? "" : drain(true);
    }

    /** Whether a stop sequence has been seen; everything after it is discarded. */
    public boolean isStopped() {
        return stopped;
    }

    private String drain(boolean end) {
        int match = firstMatch();
        int partial = end ? -1 : firstPartialMatch(match < 0 ? pending.length() : match);
        int emit;
        if (partial >= 0) {
            emit = partial;
        } else if (match >= 0) {
            emit = match;
            stopped = true;
        } else {
            emit = pending.length();
        }
        String out = pending.substring(0, emit);
        if (stopped) {
            pending.setLength(0);
        } else {
            pending.delete(0, emit);
        }
        return out;
    }

    /** The start of the earliest complete stop sequence in {@code pending}, or -1. */
    private int firstMatch() {
        int first = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /**
     * The earliest start before {@code limit} from which the rest of {@code pending} is a proper prefix of some stop
     * sequence (so it may complete with the next chunk), or -1.
     */
    private int firstPartialMatch(int limit) {
        int length = pending.length();
        // Only a tail shorter than the longest stop sequence can be a proper prefix of one.
        for (int start = Math.max(0, length - longestStop + 1); start < limit; start++) {
            int tail = length - start;
            for (String stop : stops) {
                if (tail < stop.length() && regionMatches(start, stop, tail)) {
                    return start;
                }
            }
        }
        return -1;
    }

    private boolean regionMatches(int start, String stop, int count) {
        for (int i = 0; i < count; i++) {
            if (pending.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
