package io.rewoo4j.runtime.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pieces of a BPE model with what the encoder needs to know about each: its type, its merge priority
 * (higher merges first) and whether BPE may produce it by merging two adjacent symbols.
 * Immutable; built by the two loaders.
 */
final class Vocabulary {

    private final String[] pieces;
    private final PieceType[] types;
    private final float[] mergeScores;
    private final boolean[] mergeable;
    private final PieceTable table;
    private final int[] byteIds;
    private final List<String> userDefined;
    private final int maxMergeableLength;

    /**
     * @param mergeable per piece, whether BPE may form it by merging (sentencepiece: NORMAL, USER_DEFINED and
     *     UNUSED pieces; tokenizer.json: pieces that some merge rule produces)
     */
    Vocabulary(String source, String[] pieces, PieceType[] types, float[] mergeScores, boolean[] mergeable) {
        this.pieces = pieces.clone();
        this.types = types.clone();
        this.mergeScores = mergeScores.clone();
        this.mergeable = mergeable.clone();
        this.table = new PieceTable(pieces.length);
        this.byteIds = new int[256];
        Arrays.fill(byteIds, -1);
        List<String> user = new ArrayList<>();
        int maxLength = 0;
        for (int id = 0; id < pieces.length; id++) {
            String piece = pieces[id];
            if (piece == null || piece.isEmpty()) {
                throw new TokenizerFormatException(source, "pieces[" + id + "].piece", "empty piece");
            }
            int previous = table.put(piece, id);
            if (previous >= 0) {
                throw new TokenizerFormatException(source, "pieces[" + id + "].piece",
                        "piece " + quote(piece) + " is already defined as id " + previous);
            }
            if (types[id] == PieceType.BYTE) {
                int b = byteOf(piece);
                if (b < 0) {
                    throw new TokenizerFormatException(source, "pieces[" + id + "].piece",
                            "byte piece " + quote(piece) + " is not of the form <0xNN>");
                }
                byteIds[b] = id;
            }
            if (types[id] == PieceType.USER_DEFINED) {
                user.add(piece);
            }
            if (mergeable[id]) {
                maxLength = Math.max(maxLength, piece.length());
            }
        }
        this.userDefined = List.copyOf(user);
        this.maxMergeableLength = maxLength;
    }

    int size() {
        return pieces.length;
    }

    String piece(int id) {
        return pieces[id];
    }

    PieceType type(int id) {
        return types[id];
    }

    float mergeScore(int id) {
        return mergeScores[id];
    }

    boolean mergeable(int id) {
        return mergeable[id];
    }

    /** The id of the piece {@code chars[from, to)}, or -1. */
    int find(char[] chars, int from, int to) {
        return table.get(chars, from, to);
    }

    int find(String piece) {
        char[] chars = piece.toCharArray();
        return table.get(chars, 0, chars.length);
    }

    /** The id of the byte piece {@code <0xNN>} for {@code b}, or -1 if the model has none. */
    int byteId(int b) {
        return byteIds[b & 0xFF];
    }

    boolean hasAllBytePieces() {
        for (int id : byteIds) {
            if (id < 0) {
                return false;
            }
        }
        return true;
    }

    List<String> userDefined() {
        return userDefined;
    }

    /** The longest mergeable piece in UTF-16 units; no merge can produce anything longer. */
    int maxMergeableLength() {
        return maxMergeableLength;
    }

    /** The byte value of a piece {@code <0xNN>} (upper-case hex, as sentencepiece writes it), or -1. */
    static int byteOf(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        if (hi < 0 || lo < 0 || Character.isLowerCase(piece.charAt(3)) || Character.isLowerCase(piece.charAt(4))) {
            return -1;
        }
        return hi << 4 | lo;
    }

    static String quote(String piece) {
        return "\"" + piece + "\"";
    }
}
