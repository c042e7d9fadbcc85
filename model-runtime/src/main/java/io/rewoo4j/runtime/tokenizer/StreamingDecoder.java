package io.rewoo4j.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes ids one at a time, as a model generates them, and hands back only complete text: the bytes of a
 * character spelled with several {@code <0xNN>} pieces are held until the character is complete, so a
 * multi-byte character (an emoji, a CJK ideograph outside the vocabulary) is never split.
 *
 * <p>The concatenation of everything {@link #accept} and {@link #finish} return equals
 * {@link Tokenizer#decode(int[])} of the same ids, which follows sentencepiece's decoder exactly: control
 * pieces decode to nothing, {@code ▁} to a space, the first piece's leading {@code ▁} (the dummy prefix) is
 * dropped, the unknown piece becomes the model's unknown surface, and byte pieces are joined and read as UTF-8
 * with each invalid byte becoming U+FFFD.
 *
 * <p>Not thread-safe; one instance per generated sequence.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private byte[] pending = new byte[8];
    private int pendingLength;
    private boolean expectDummyPrefix;
    private boolean dummyPrefixSeen;
    private boolean emittedAnything;

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.expectDummyPrefix = tokenizer.stripsLeadingSpace();
    }

    /**
     * Feeds one id and returns the text that became complete with it, possibly empty.
     *
     * @throws IllegalArgumentException if {@code id} is not in the vocabulary
     */
    public String accept(int id) {
        tokenizer.checkId(id);
        StringBuilder out = new StringBuilder();
        if (tokenizer.pieceType(id) == PieceType.BYTE) {
            if (pendingLength == pending.length) {
                pending = Arrays.copyOf(pending, pendingLength * 2);
            }
            pending[pendingLength++] = (byte) Vocabulary.byteOf(tokenizer.piece(id));
            drainBytes(out, false);
        } else {
            drainBytes(out, true);
            if (dummyPrefixSeen || emittedAnything || !out.isEmpty()) {
                expectDummyPrefix = false;
            }
            dummyPrefixSeen = false;
            appendPiece(id, out);
        }
        if (!out.isEmpty()) {
            emittedAnything = true;
        }
        return out.toString();
    }

    /**
     * Ends the sequence: bytes still held (a character cut short) come out as one U+FFFD each.
     * The decoder may be reused afterwards as if new.
     */
    public String finish() {
        StringBuilder out = new StringBuilder();
        drainBytes(out, true);
        pendingLength = 0;
        expectDummyPrefix = tokenizer.stripsLeadingSpace();
        dummyPrefixSeen = false;
        emittedAnything = false;
        return out.toString();
    }

    /** Whether bytes of an incomplete character are being held back. */
    public boolean hasPendingBytes() {
        return pendingLength > 0;
    }

    private void appendPiece(int id, StringBuilder out) {
        PieceType type = tokenizer.pieceType(id);
        if (type == PieceType.CONTROL) {
            return;
        }
        if (type == PieceType.UNKNOWN) {
            out.append(tokenizer.unknownSurface());
            return;
        }
        String piece = tokenizer.piece(id);
        int from = 0;
        if (expectDummyPrefix && piece.charAt(0) == SentencePieceNormalizer.SPACE_SYMBOL) {
            from = 1;
            // with remove_extra_whitespaces sentencepiece keeps stripping while nothing has been written
            dummyPrefixSeen = !tokenizer.removesExtraWhitespaces();
        }
        for (int i = from; i < piece.length(); i++) {
            char c = piece.charAt(i);
            out.append(c == SentencePieceNormalizer.SPACE_SYMBOL ? ' ' : c);
        }
    }

    /**
     * Turns held bytes into text, one character at a time, the way sentencepiece reads a run of byte pieces.
     * Unless {@code endOfRun}, a character whose bytes are still arriving is left in the buffer.
     */
    private void drainBytes(StringBuilder out, boolean endOfRun) {
        int offset = 0;
        while (offset < pendingLength) {
            int needed = sequenceLength(pending[offset]);
            int available = pendingLength - offset;
            if (!endOfRun && available < needed && trailBytesSoFar(offset + 1, pendingLength)) {
                break; // wait for the rest of this character
            }
            int consumed = validSequenceLength(pending, offset, pendingLength);
            if (consumed == 0) {
                out.append('\uFFFD');
                offset += 1;
            } else {
                out.append(new String(pending, offset, consumed, StandardCharsets.UTF_8));
                offset += consumed;
            }
        }
        System.arraycopy(pending, offset, pending, 0, pendingLength - offset);
        pendingLength -= offset;
    }

    private boolean trailBytesSoFar(int from, int to) {
        for (int i = from; i < to; i++) {
            if ((pending[i] & 0xC0) != 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The length a UTF-8 sequence starting with {@code lead} claims (1 for bytes that cannot start one). */
    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if ((b & 0xE0) == 0xC0) {
            return 2;
        }
        if ((b & 0xF0) == 0xE0) {
            return 3;
        }
        if ((b & 0xF8) == 0xF0) {
            return 4;
        }
        return 1;
    }

    /**
     * Length of the valid UTF-8 character at {@code bytes[offset]}, or 0 if it is invalid (sentencepiece's
     * {@code IsValidDecodeUTF8}: no overlong forms, no surrogates, nothing above U+10FFFF).
     */
    static int validSequenceLength(byte[] bytes, int offset, int limit) {
        int b0 = bytes[offset] & 0xFF;
        int length = limit - offset;
        if (b0 < 0x80) {
            return 1;
        }
        int n = sequenceLength(bytes[offset]);
        if (n == 1 || length < n) {
            return 0;
        }
        int cp = b0 & (0x7F >> n);
        for (int i = 1; i < n; i++) {
            int b = bytes[offset + i] & 0xFF;
            if ((b & 0xC0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (b & 0x3F);
        }
        int min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp < min || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF) {
            return 0;
        }
        return n;
    }
}
