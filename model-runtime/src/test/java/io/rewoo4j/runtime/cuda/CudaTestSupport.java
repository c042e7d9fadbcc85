package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;

/** Shared helpers of the CUDA tests: skipping without a device or library, host references, fp16 conversions. */
final class CudaTestSupport {
    private CudaTestSupport() {
    }

    /** Skips the test (with CUDA's reason) unless a device is usable. */
    static CudaAvailability assumeCuda() {
        CudaAvailability a = CudaLibrary.availability();
        Assumptions.assumeTrue(a.available(), () -> "CUDA is not available: " + a.reason());
        return a;
    }

    /** Skips the test unless the native library loaded (a device is not needed). */
    static void assumeLibraryLoaded() {
        String problem = CudaLibrary.loadProblem();
        Assumptions.assumeTrue(problem.isEmpty(), () -> "the CUDA library is not loaded: " + problem);
    }

    /**
     * Skips the test unless the library loaded and no device is visible: then the kernel bindings can be given
     * {@link FakeAllocations} safely (any launch fails in CUDA before touching memory).
     */
    static void assumeLibraryWithoutDevice() {
        assumeLibraryLoaded();
        Assumptions.assumeFalse(CudaLibrary.availability().available(),
                "a CUDA device is visible: argument checks with fake allocations would launch real kernels");
    }

    /**
     * Address ranges the native argument checks accept as live allocations, for tests on machines without a device.
     * Registered by {@code librewoo4j_cuda}'s JNI_OnLoad when this class is on the class path; the library refuses
     * them when a device is visible. They are never passed to {@code cudaFree}.
     */
    static final class FakeAllocations {
        private FakeAllocations() {
        }

        static native void add(long address, long bytes, int elementType);

        static native void remove(long address);
    }

    // ---- fp16 buffers ----

    /** A new F16 buffer holding the binary16 values {@code halfs}. */
    static DeviceBuffer uploadHalfs(CudaContext ctx, short[] halfs) {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * halfs.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(halfs);
        return ctx.upload(b, ElementType.F16);
    }

    /** The binary16 values of an F16 buffer, after the stream's queued work. */
    static short[] downloadHalfs(CudaContext ctx, DeviceBuffer buffer) {
        ByteBuffer b = ByteBuffer.allocateDirect((int) buffer.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        ctx.download(buffer, b);
        short[] halfs = new short[(int) (buffer.bytes() / 2)];
        b.asShortBuffer().get(halfs);
        return halfs;
    }

    /** Each value rounded to binary16. */
    static short[] toHalfs(float[] values) {
        short[] h = new short[values.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = toHalf(values[i]);
        }
        return h;
    }

    // ---- random inputs and references ----

    static float[] randomFloats(Random random, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * random.nextFloat();
        }
        return v;
    }

    static float[] gaussian(Random random, int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * sigma);
        }
        return v;
    }

    static float[] nanFilled(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, Float.NaN);
        return v;
    }

    /** IEEE binary16 bits of {@code f}, rounded to nearest even (overflow to infinity, subnormals kept). */
    static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rest = mant & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the correct rounding (up to infinity)
        }
        return (short) (sign | half);
    }

    static float halfToFloat(short h) {
        return io.rewoo4j.runtime.safetensors.Float16.toFloat(h);
    }

    /** {@code f} rounded through binary16. */
    static float roundToHalf(float f) {
        return halfToFloat(toHalf(f));
    }

    /** Asserts every element is finite (nothing left NaN-poisoned). */
    static void assertAllFinite(String what, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new AssertionError(what + "[" + i + "] = " + values[i] + " (not written, or not finite)");
            }
        }
    }

    /**
     * Asserts |actual - expected| <= abs + rel * |expected| element-wise, reporting the worst element.
     */
    static void assertClose(String what, float[] actual, double[] expected, double abs, double rel) {
        assertThat(actual).as(what + " length").hasSize(expected.length);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double bound = abs + rel * Math.abs(expected[i]);
            if (!(err <= bound)) {
                double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - bound;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (worst >= 0) {
            throw new AssertionError(String.format("%s[%d] = %s, expected %s (tolerance %.3g + %.3g * |expected|)",
                    what, worst, actual[worst], expected[worst], abs, rel));
        }
    }
}
