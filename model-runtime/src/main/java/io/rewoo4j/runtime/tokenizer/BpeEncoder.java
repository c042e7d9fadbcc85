package io.rewoo4j.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece's BPE segmentation ({@code bpe_model.cc}), on normalized text.
 *
 * <p>The text starts as one symbol per code point (or per user-defined piece, which is then frozen). Every
 * adjacent pair whose concatenation is a mergeable piece is a candidate; the candidate whose piece has the
 * highest score is merged first, the leftmost on ties. Symbols live in a doubly linked list over arrays and
 * candidates in a binary heap, so a merge costs O(log n): stale candidates (one side already merged away or
 * grown) are recognised when popped and dropped. What is left is looked up; a symbol that is not a piece is
 * the unknown piece, which byte fallback replaces by the {@code <0xNN>} pieces of its UTF-8 bytes.
 *
 * <p>Thread-safe: all working state is local to {@link #encode}.
 */
final class BpeEncoder {

    private final Vocabulary vocabulary;
    private final boolean byteFallback;
    private final int unkId;

    BpeEncoder(Vocabulary vocabulary, boolean byteFallback, int unkId) {
        this.vocabulary = vocabulary;
        this.byteFallback = byteFallback;
        this.unkId = unkId;
    }

    /** Appends the ids of {@code normalized} (already through {@link SentencePieceNormalizer}) to {@code out}. */
    void encode(String normalized, IdSink out) {
        if (normalized.isEmpty()) {
            return;
        }
        char[] text = normalized.toCharArray();
        Work w = new Work(text);
        w.split(vocabulary.userDefined());
        for (int i = 1; i < w.count; i++) {
            w.maybeAddPair(i - 1, i);
        }
        while (w.heapSize > 0) {
            int top = w.pop();
            int left = w.pairLeft[top];
            int right = w.pairRight[top];
            int leftLength = w.end[left] - w.start[left];
            int rightLength = w.end[right] - w.start[right];
            if (leftLength == 0 || rightLength == 0 || leftLength + rightLength != w.pairLength[top]) {
                continue; // stale: a side was merged into something else since this pair was queued
            }
            w.end[left] = w.end[right];
            w.next[left] = w.next[right];
            if (w.next[right] >= 0) {
                w.prev[w.next[right]] = left;
            }
            w.end[right] = w.start[right]; // empty: merged away
            w.maybeAddPair(w.prev[left], left);
            w.maybeAddPair(left, w.next[left]);
        }
        boolean previousUnknown = false;
        for (int i = 0; i >= 0; i = w.next[i]) {
            int id = vocabulary.find(text, w.start[i], w.end[i]);
            if (id < 0) {
                id = unkId;
            }
            if (vocabulary.type(id) == PieceType.UNUSED && w.reverseMerges != null) {
                previousUnknown = resegment(new String(text, w.start[i], w.end[i] - w.start[i]), id,
                        w.reverseMerges, out, previousUnknown);
            } else {
                previousUnknown = emit(text, w.start[i], w.end[i], id, out, previousUnknown);
            }
        }
    }

    /** Emits one final symbol as sentencepiece's {@code PopulateSentencePieceText} does; returns is-unknown. */
    private boolean emit(char[] text, int from, int to, int id, IdSink out, boolean previousUnknown) {
        boolean unknown = vocabulary.type(id) == PieceType.UNKNOWN;
        if (unknown && byteFallback) {
            byte[] bytes = new String(text, from, to - from).getBytes(StandardCharsets.UTF_8);
            for (byte b : bytes) {
                out.add(vocabulary.byteId(b));
            }
        } else if (!(unknown && previousUnknown)) { // a run of unknown symbols becomes one <unk>
            out.add(id);
        }
        return unknown;
    }

    /** An UNUSED piece is never emitted: it is split back into the two symbols that were merged into it. */
    private boolean resegment(String piece, int id, Map<String, String[]> reverseMerges, IdSink out,
            boolean previousUnknown) {
        String[] parts = vocabulary.type(id) == PieceType.UNUSED ? reverseMerges.get(piece) : null;
        if (parts == null) {
            char[] chars = piece.toCharArray();
            return emit(chars, 0, chars.length, id, out, previousUnknown);
        }
        for (String part : parts) {
            int partId = vocabulary.find(part);
            previousUnknown = resegment(part, partId < 0 ? unkId : partId, reverseMerges, out, previousUnknown);
        }
        return previousUnknown;
    }

    /** Receives ids as they are produced. */
    interface IdSink {
        void add(int id);
    }

    /** The per-call working state: symbol list and candidate heap, in parallel primitive arrays. */
    private final class Work {
        final char[] text;
        int count;
        int[] start;
        int[] end;
        int[] prev;
        int[] next;
        boolean[] frozen;

        // candidate pairs, by entry number; the heap holds entry numbers
        int pairCount;
        int[] pairLeft;
        int[] pairRight;
        int[] pairLength;
        float[] pairScore;
        int[] heap;
        int heapSize;
        Map<String, String[]> reverseMerges;

        Work(char[] text) {
            this.text = text;
            int capacity = text.length;
            start = new int[capacity];
            end = new int[capacity];
            prev = new int[capacity];
            next = new int[capacity];
            frozen = new boolean[capacity];
            int pairs = Math.max(16, capacity * 2);
            pairLeft = new int[pairs];
            pairRight = new int[pairs];
            pairLength = new int[pairs];
            pairScore = new float[pairs];
            heap = new int[pairs];
        }

        void split(List<String> userDefined) {
            int i = 0;
            int n = text.length;
            String view = userDefined.isEmpty() ? null : new String(text);
            while (i < n) {
                int length = view == null ? 0 : SentencePieceNormalizer.matchUserDefined(view, i, userDefined);
                boolean freeze = length > 0;
                if (!freeze) {
                    length = Character.isHighSurrogate(text[i]) && i + 1 < n
                            && Character.isLowSurrogate(text[i + 1]) ? 2 : 1;
                }
                start[count] = i;
                end[count] = i + length;
                frozen[count] = freeze;
                prev[count] = count - 1;
                i += length;
                next[count] = i < n ? count + 1 : -1;
                count++;
            }
        }

        void maybeAddPair(int left, int right) {
            if (left < 0 || right < 0 || frozen[left] || frozen[right]) {
                return;
            }
            int from = start[left];
            int to = end[right];
            if (to - from > vocabulary.maxMergeableLength()) {
                return;
            }
            int id = vocabulary.find(text, from, to);
            if (id < 0 || !vocabulary.mergeable(id)) {
                return;
            }
            if (pairCount == pairLeft.length) {
                int grown = pairCount * 2;
                pairLeft = Arrays.copyOf(pairLeft, grown);
                pairRight = Arrays.copyOf(pairRight, grown);
                pairLength = Arrays.copyOf(pairLength, grown);
                pairScore = Arrays.copyOf(pairScore, grown);
                heap = Arrays.copyOf(heap, grown);
            }
            int entry = pairCount++;
            pairLeft[entry] = left;
            pairRight[entry] = right;
            pairLength[entry] = to - from;
            pairScore[entry] = vocabulary.mergeScore(id);
            push(entry);
            if (vocabulary.type(id) == PieceType.UNUSED) {
                if (reverseMerges == null) {
                    reverseMerges = new HashMap<>();
                }
                reverseMerges.put(new String(text, from, to - from), new String[] {
                    new String(text, start[left], end[left] - start[left]),
                    new String(text, start[right], end[right] - start[right])});
            }
        }

        /** Whether entry a is merged before entry b: higher score, then the leftmost. */
        private boolean before(int a, int b) {
            float sa = pairScore[a];
            float sb = pairScore[b];
            return sa > sb || (sa == sb && pairLeft[a] < pairLeft[b]);
        }

        private void push(int entry) {
            int i = heapSize++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(entry, heap[parent])) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = entry;
        }

        int pop() {
            int top = heap[0];
            int last = heap[--heapSize];
            int i = 0;
            int half = heapSize >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < heapSize && before(heap[right], heap[child])) {
                    child = right;
                }
                if (!before(heap[child], last)) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return top;
        }
    }
}
