package io.rewoo4j.runtime.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;

/**
 * A tensor's bytes inside a memory-mapped file: no copy is made until one of the {@code to*Array} methods is called.
 * Indices are flat row-major element indices. Safetensors data is little-endian; the buffers handed out are set to
 * that order.
 */
public final class TensorView {
    private final Path file;
    private final TensorInfo info;
    private final ByteBuffer bytes;

    TensorView(Path file, TensorInfo info, ByteBuffer bytes) {
        this.file = file;
        this.info = info;
        this.bytes = bytes.order(ByteOrder.LITTLE_ENDIAN);
    }

    public Path file() {
        return file;
    }

    public TensorInfo info() {
        return info;
    }

    public String name() {
        return info.name();
    }

    public DType dtype() {
        return info.dtype();
    }

    public long[] shape() {
        return info.shape();
    }

    public int rank() {
        return info.rank();
    }

    public int dim(int i) {
        return info.dim(i);
    }

    public long elementCount() {
        return info.elementCount();
    }

    /** The raw little-endian bytes, read-only, positioned at 0. */
    public ByteBuffer bytes() {
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** I32/U32 data as an int view (no copy). */
    public IntBuffer asIntBuffer() {
        require(info.dtype() == DType.I32 || info.dtype() == DType.U32, "an int32 view");
        return bytes().asIntBuffer();
    }

    /** F16/BF16/I16 data as raw 16-bit words (no copy). */
    public ShortBuffer asShortBuffer() {
        require(info.dtype().byteSize() == 2, "a 16-bit view");
        return bytes().asShortBuffer();
    }

    /** F32 data as a float view (no copy). */
    public FloatBuffer asFloatBuffer() {
        require(info.dtype() == DType.F32, "a float32 view");
        return bytes().asFloatBuffer();
    }

    /** Element {@code index} of an F16, BF16 or F32 tensor as a float. */
    public float getFloat(long index) {
        int i = checkIndex(index);
        switch (info.dtype()) {
            case F16:
                return Float16.toFloat(bytes.getShort(i * 2));
            case BF16:
                return Float16.bf16ToFloat(bytes.getShort(i * 2));
            case F32:
                return bytes.getFloat(i * 4);
            default:
                throw unsupported("float reads");
        }
    }

    /** Element {@code index} of an integer tensor (I32, I16, I8, U8, BOOL) as an int. */
    public int getInt(long index) {
        int i = checkIndex(index);
        switch (info.dtype()) {
            case I32:
                return bytes.getInt(i * 4);
            case I16:
                return bytes.getShort(i * 2);
            case I8:
                return bytes.get(i);
            case U8:
            case BOOL:
                return bytes.get(i) & 0xFF;
            default:
                throw unsupported("int reads");
        }
    }

    /** A heap copy of a floating-point tensor, widened to float. */
    public float[] toFloatArray() {
        require(info.dtype().isReadableAsFloat(), "float reads");
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> bytes().asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16.toFloat(bytes.getShort(i * 2));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16.bf16ToFloat(bytes.getShort(i * 2));
                }
            }
        }
        return out;
    }

    /** A heap copy of an integer tensor, widened to int. */
    public int[] toIntArray() {
        require(info.dtype().isReadableAsInt(), "int reads");
        int n = Math.toIntExact(info.elementCount());
        int[] out = new int[n];
        if (info.dtype() == DType.I32) {
            bytes().asIntBuffer().get(out);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = getInt(i);
            }
        }
        return out;
    }

    private int checkIndex(long index) {
        if (index < 0 || index >= info.elementCount()) {
            throw new IndexOutOfBoundsException(info.name() + ": index " + index + " outside [0, "
                    + info.elementCount() + ")");
        }
        return (int) index;
    }

    private void require(boolean ok, String what) {
        if (!ok) {
            throw unsupported(what);
        }
    }

    private UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException(file + ": tensor '" + info.name() + "' has dtype " + info.dtype()
                + ", which does not support " + what);
    }

    @Override
    public String toString() {
        return file.getFileName() + ":" + info;
    }
}
