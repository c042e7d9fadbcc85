package io.rewoo4j.runtime.safetensors;

import java.util.Arrays;

/**
 * One validated header entry: where a tensor's bytes lie in its file's data section.
 *
 * @param name       the tensor's name
 * @param dtype      its element type
 * @param shape      its dimensions, outermost first (row-major); empty for a scalar
 * @param dataBegin  offset of its first byte, relative to the start of the data section
 * @param dataEnd    offset one past its last byte, relative to the start of the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long dataBegin, long dataEnd) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}, checked to fit an {@code int}. */
    public int dim(int i) {
        long d = shape[i];
        if (d > Integer.MAX_VALUE) {
            throw new IllegalStateException(name + ": dimension " + i + " = " + d + " exceeds int range");
        }
        return (int) d;
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public long byteSize() {
        return dataEnd - dataBegin;
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && dataBegin == t.dataBegin && dataEnd == t.dataEnd;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + dataBegin + ", " + dataEnd + ")";
    }
}
