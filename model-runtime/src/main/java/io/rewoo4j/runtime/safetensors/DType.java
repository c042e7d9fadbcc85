package io.rewoo4j.runtime.safetensors;

import java.util.Optional;

/**
 * Element types of the safetensors format, as spelled in the header's {@code dtype} field.
 *
 * <p>All are recognised for header validation (their sizes are fixed by the format); typed reads are offered for
 * the floating types F16/BF16/F32 and the integer types I8/U8/I16/I32.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), I64(8), U64(8), F64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link TensorView#getFloat(long)} can read this type. */
    public boolean isReadableAsFloat() {
        return this == F16 || this == BF16 || this == F32;
    }

    /** Whether {@link TensorView#getInt(long)} can read this type without loss. */
    public boolean isReadableAsInt() {
        return this == I32 || this == I16 || this == I8 || this == U8 || this == BOOL;
    }

    /** The type with this header spelling, if it is one of the format's. */
    public static Optional<DType> fromHeaderName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
