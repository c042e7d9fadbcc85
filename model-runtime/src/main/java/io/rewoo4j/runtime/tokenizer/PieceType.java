package io.rewoo4j.runtime.tokenizer;

/**
 * The kind of a vocabulary piece, as SentencePiece's {@code ModelProto.SentencePiece.Type} defines it.
 */
public enum PieceType {
    /** An ordinary piece that BPE may produce by merging. */
    NORMAL(1),
    /** The unknown piece ({@code <unk>}); decodes to the model's unknown surface. */
    UNKNOWN(2),
    /** A control piece such as {@code <s>} or {@code </s>}: never produced from text, decodes to nothing. */
    CONTROL(3),
    /** A piece matched verbatim in the text before BPE runs, never split or merged. */
    USER_DEFINED(4),
    /** A piece BPE may use internally but never emits: it is split back into the two pieces it was merged from. */
    UNUSED(5),
    /** One of the 256 byte pieces {@code <0x00>}..{@code <0xFF>} used for byte fallback. */
    BYTE(6);

    private final int protoNumber;

    PieceType(int protoNumber) {
        this.protoNumber = protoNumber;
    }

    /** The enum value's number in {@code sentencepiece_model.proto}. */
    public int protoNumber() {
        return protoNumber;
    }

    static PieceType fromProtoNumber(int number) {
        for (PieceType type : values()) {
            if (type.protoNumber == number) {
                return type;
            }
        }
        return null;
    }
}
