package io.rewoo4j.runtime.cuda;

/**
 * Element type of a device allocation. The native layer records it with each allocation and every kernel binding
 * checks that its pointer arguments point into allocations of the type it reads or writes.
 */
public enum ElementType {
    /** 32-bit float. */
    F32(CudaNative.F32, 4),
    /** IEEE binary16; also half2 pairs (GPTQ scale/zero tables). */
    F16(CudaNative.F16, 2),
    /** 32-bit signed integer (token ids, positions, routing tables). */
    I32(CudaNative.I32, 4),
    /** Packed GPTQ words. */
    U32(CudaNative.U32, 4),
    /** Untyped bytes (device tables such as DeviceMatrix records). */
    BYTES(CudaNative.BYTES, 1);

    private final int code;
    private final int bytes;

    ElementType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The code the native layer uses ({@code CudaNative.F32} ...). */
    int code() {
        return code;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
