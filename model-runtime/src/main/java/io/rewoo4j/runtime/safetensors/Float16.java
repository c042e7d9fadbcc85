package io.rewoo4j.runtime.safetensors;

/**
 * IEEE 754 binary16 and bfloat16 to float conversion. Java 17 has no {@code Float.float16ToFloat}; binary16 goes
 * through a 65,536-entry table (256 KiB) because kernels convert scales and dense weights in hot loops.
 */
public final class Float16 {
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = convert((short) h);
        }
    }

    private Float16() {
    }

    /** binary16 bits to float (exact). */
    public static float toFloat(short half) {
        return HALF_TO_FLOAT[half & 0xFFFF];
    }

    /** bfloat16 bits to float (exact). */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }

    private static float convert(short half) {
        int h = half & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
