package io.rewoo4j.runtime.cuda;

import java.nio.ByteBuffer;

/**
 * Every native entry point of {@code librewoo4j_cuda.so} ({@code src/main/native/jni_bindings.cpp}). Device
 * addresses are {@code long}s handed out by {@link #malloc}; the native side keeps a registry of live allocations
 * (address, size, element type) and every kernel binding checks, before anything is launched, that each pointer
 * argument lies inside a live allocation of the expected element type that is large enough for the extent its
 * dimensions imply, and that the dimensions themselves are consistent. A violation throws
 * {@link IllegalArgumentException} naming the argument; a failing CUDA call throws {@link CudaException} carrying
 * CUDA's own message. Nothing here crashes the JVM on bad input.
 *
 * <p>Kernels are asynchronous on {@code stream} (0 is the legacy default stream); launch errors are reported at
 * once, execution errors at the next synchronising call.
 *
 * <p>Package-private: {@link CudaContext} and the backend are the API.
 */
final class CudaNative {
    private CudaNative() {
    }

    // element types recorded with each allocation
    static final int F32 = 0;
    static final int F16 = 1;
    static final int I32 = 2;
    /** Packed GPTQ words. */
    static final int U32 = 3;
    /** Untyped bytes (device tables such as DeviceMatrix records, half2 scale/zero pairs count as F16). */
    static final int BYTES = 4;

    // ---- library and devices ----

    /** "rewoo4j-cuda &lt;version&gt;; CUDA runtime X.Y (static); architectures sm_80 sm_90". */
    static native String buildInfo();

    /** {@code [sizeof(DeviceMatrix), offsetof(kind), offsetof(y_col_offset)]}, checked against Java's layout at load. */
    static native int[] structLayout();

    /** Number of visible devices; throws {@link CudaException} with CUDA's reason when there is none or no driver. */
    static native int deviceCount();

    /** The installed driver's CUDA version as 1000·major + 10·minor, 0 when there is no driver. */
    static native int driverVersion();

    static native String deviceName(int device);

    /** {@code [major, minor, totalGlobalMem, multiProcessorCount, l2CacheSize, memoryBusWidth, memoryClockKHz]}. */
    static native long[] deviceProperties(int device);

    /** Makes {@code device} current for the calling thread. */
    static native void setDevice(int device);

    /** {@code [free, total]} bytes on the current device. */
    static native long[] memoryInfo();

    // ---- memory ----

    /** cudaMalloc, registered with its element type; throws {@link CudaException} (out of memory included). */
    static native long malloc(long bytes, int elementType);

    /** cudaFree of an address from {@link #malloc}; unknown addresses throw {@link IllegalArgumentException}. */
    static native void free(long address);

    /** Bytes currently allocated through {@link #malloc} and not freed. */
    static native long allocatedBytes();

    /** Synchronous copy of {@code bytes} from a direct buffer (from its position) to {@code dst}. */
    static native void copyToDevice(long dst, ByteBuffer src, long bytes);

    /** Synchronous copy of {@code bytes} from {@code src} into a direct buffer (at its position). */
    static native void copyToHost(ByteBuffer dst, long src, long bytes);

    static native void copyFloatsToDevice(long dst, float[] src, int offset, int length);

    static native void copyFloatsToHost(float[] dst, int offset, int length, long src, long stream);

    static native void copyIntsToDevice(long dst, int[] src, int offset, int length);

    static native void copyIntsToHost(int[] dst, int offset, int length, long src, long stream);

    /** Asynchronous device-to-device copy on {@code stream}. */
    static native void copyDeviceToDevice(long dst, long src, long bytes, long stream);

    static native void memset(long address, int value, long bytes, long stream);

    // ---- streams, graphs, events ----

    static native long streamCreate();

    static native void streamDestroy(long stream);

    static native void streamSynchronize(long stream);

    /** Starts capturing the launches made on {@code stream} into a graph (thread-local capture mode). */
    static native void graphBeginCapture(long stream);

    /** Ends the capture and instantiates it; returns the executable graph. */
    static native long graphEndCapture(long stream);

    static native void graphLaunch(long graph, long stream);

    static native void graphDestroy(long graph);

    static native long eventCreate();

    static native void eventRecord(long event, long stream);

    /** Milliseconds between two recorded events (synchronises on {@code end}). */
    static native float eventElapsedMillis(long start, long end);

    static native void eventDestroy(long event);

    // ---- kernels (see the .cuh headers beside jni_bindings.cpp for their exact semantics) ----

    /**
     * {@code rw::linear_forward}. {@code matrices}: a BYTES allocation of {@code experts·nmat} DeviceMatrix records.
     * Routing pointers are 0 without routing (then {@code topk} is ignored and tasks are the rows).
     */
    static native void linear(long stream, long matrices, int nmat, int experts, int kind, int bits, int in,
            int maxOut, long x, int ldx, int rows, int inputMode, int outputMode, long y, int ldy, int yRows,
            int topk, long expertOffset, long sortedAssign, long assignWeight, int maxTasksPerExpert);

    static native void embedRows(long stream, long table, int vocab, int hidden, long tokens, int rows, long x);

    static native void rmsNorm(long stream, long x, int ldx, long weight, int rows, int dim, float eps, long y,
            int ldy);

    static native void positionsFill(long stream, long seq, long pos, int rows, int seqValue, int start);

    static native void countersAdvance(long stream, long counters, int n, int by);

    static native void ropeAndStoreKv(long stream, long qkv, int ld, int rows, int heads, int kvHeads, int headDim,
            long seq, long pos, long cosTable, long sinTable, long kCache, long vCache, int maxSeqs, int maxPos);

    static native void attentionDecode(long stream, long qkv, int ld, int rows, int heads, int kvHeads,
            int headDim, long seq, long pos, long kCache, long vCache, int maxSeqs, int maxPos, int window,
            float scale, long out, int ldo);

    static native void attentionPrefill(long stream, long qkv, int ld, int rows, int heads, int kvHeads,
            int headDim, int seq, int startPos, long kCache, long vCache, int maxSeqs, int maxPos, int window,
            float scale, long out, int ldo);

    static native void moeRoute(long stream, long logits, int rows, int experts, int topk, long topkIds,
            long topkWeight, long expertOffset, long sortedAssign);

    static native void argmaxRows(long stream, long logits, int rows, int vocab, long out);

    static native void sampleTopK(long stream, long logits, int rows, int vocab, int k, float temperature,
            long seed, long step, long out);

    static native void fillRandomBits(long stream, long address, long words, long seed);

    static native void fillRandomHalf(long stream, long address, long n, float lo, float hi, long seed);

    static native void fillRandomScaleZero(long stream, long address, long n, float lo, float hi, int maxZero,
            long seed);
}
