package io.rewoo4j.runtime.cuda;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One device and one stream, and every allocation and graph made through it; {@link #close()} frees them all.
 *
 * <p>Copies from and to Java arrays are synchronous: an upload completes before the next launch on the stream
 * (the stream is a blocking one, ordered with the synchronous copies), a download waits for the work queued on the
 * stream. {@link #zero}, {@link #fill}, {@link #copy} and kernel launches are asynchronous on {@link #stream()}.
 *
 * <p>Every method first makes the context's device current on the calling thread. A context is meant for one
 * thread at a time; its bookkeeping is thread-safe.
 */
public final class CudaContext implements AutoCloseable {
    private final int device;
    private final long stream;
    private final Set<DeviceBuffer> buffers = new LinkedHashSet<>();
    private final Set<CudaGraph> graphs = new LinkedHashSet<>();
    private long allocatedBytes;
    private boolean closed;

    private CudaContext(int device, long stream) {
        this.device = device;
        this.stream = stream;
    }

    /**
     * Opens a context on {@code device}.
     *
     * @throws IllegalStateException    when CUDA is not available (with {@link CudaAvailability#reason()})
     * @throws IllegalArgumentException when there is no such device
     * @throws CudaException            when CUDA fails to create the stream
     */
    public static CudaContext open(int device) {
        CudaAvailability availability = CudaLibrary.requireAvailable();
        if (device < 0 || device >= availability.devices().size()) {
            throw new IllegalArgumentException("no CUDA device " + device + "; devices: " + availability.devices());
        }
        CudaNative.setDevice(device);
        return new CudaContext(device, CudaNative.streamCreate());
    }

    public int device() {
        return device;
    }

    /** The context's stream (for kernel launches through {@link CudaNative}). */
    public long stream() {
        ensureOpen();
        return stream;
    }

    /** Makes the context's device current on the calling thread. */
    public void makeCurrent() {
        ensureOpen();
        CudaNative.setDevice(device);
    }

    // ---- allocation ----

    /**
     * Allocates {@code bytes} bytes (a multiple of the element size) of {@code type}; the memory is not
     * initialised.
     *
     * @throws CudaException when CUDA cannot allocate it (see {@link CudaException#isOutOfMemory()})
     */
    public DeviceBuffer allocate(long bytes, ElementType type) {
        Objects.requireNonNull(type, "type");
        if (bytes <= 0 || bytes % type.bytes() != 0) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes of " + type);
        }
        makeCurrent();
        long address = CudaNative.malloc(bytes, type.code());
        DeviceBuffer buffer = new DeviceBuffer(this, address, bytes, type);
        synchronized (this) {
            buffers.add(buffer);
            allocatedBytes += bytes;
        }
        return buffer;
    }

    public DeviceBuffer allocateFloats(long n) {
        return allocate(Math.multiplyExact(n, 4L), ElementType.F32);
    }

    public DeviceBuffer allocateInts(long n) {
        return allocate(Math.multiplyExact(n, 4L), ElementType.I32);
    }

    public DeviceBuffer allocateHalfs(long n) {
        return allocate(Math.multiplyExact(n, 2L), ElementType.F16);
    }

    public DeviceBuffer allocateBytes(long n) {
        return allocate(n, ElementType.BYTES);
    }

    /** Bytes allocated through this context and not yet freed. */
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    // ---- host to device ----

    /** A new F32 buffer holding {@code values}. */
    public DeviceBuffer upload(float[] values) {
        DeviceBuffer buffer = allocateFloats(Math.max(1, values.length));
        write(buffer, values);
        return buffer;
    }

    /** A new I32 buffer holding {@code values}. */
    public DeviceBuffer upload(int[] values) {
        DeviceBuffer buffer = allocateInts(Math.max(1, values.length));
        write(buffer, values);
        return buffer;
    }

    /**
     * A new buffer of {@code type} holding the remaining bytes of {@code data} (its position is not changed; a heap
     * buffer is staged through a direct one).
     */
    public DeviceBuffer upload(ByteBuffer data, ElementType type) {
        DeviceBuffer buffer = allocate(Math.max(type.bytes(), data.remaining()), type);
        write(buffer, data);
        return buffer;
    }

    /** Copies {@code values} to the start of {@code dst}. */
    public void write(DeviceBuffer dst, float[] values) {
        write(dst, 0, values, 0, values.length);
    }

    /** Copies {@code values[offset .. offset + length)} to element {@code dstOffset} of {@code dst}. */
    public void write(DeviceBuffer dst, long dstOffset, float[] values, int offset, int length) {
        long address = checkRange(dst, dstOffset, length, 4);
        makeCurrent();
        CudaNative.copyFloatsToDevice(address, values, offset, length);
    }

    /** Copies {@code values} to the start of {@code dst}. */
    public void write(DeviceBuffer dst, int[] values) {
        write(dst, 0, values, 0, values.length);
    }

    /** Copies {@code values[offset .. offset + length)} to element {@code dstOffset} of {@code dst}. */
    public void write(DeviceBuffer dst, long dstOffset, int[] values, int offset, int length) {
        long address = checkRange(dst, dstOffset, length, 4);
        makeCurrent();
        CudaNative.copyIntsToDevice(address, values, offset, length);
    }

    /** Copies the remaining bytes of {@code data} to the start of {@code dst} (the position is not changed). */
    public void write(DeviceBuffer dst, ByteBuffer data) {
        long bytes = data.remaining();
        if (bytes > dst.bytes()) {
            throw new IllegalArgumentException(bytes + " bytes do not fit in " + dst);
        }
        ByteBuffer direct = data;
        if (!data.isDirect()) {
            direct = ByteBuffer.allocateDirect(data.remaining());
            direct.put(data.duplicate()).flip();
        }
        owned(dst);
        makeCurrent();
        CudaNative.copyToDevice(dst.address(), direct, bytes);
    }

    // ---- device to host ----

    /** Waits for the stream, then copies the first {@code dst.length} elements of {@code src} into {@code dst}. */
    public void download(DeviceBuffer src, float[] dst) {
        download(src, 0, dst, 0, dst.length);
    }

    public void download(DeviceBuffer src, long srcOffset, float[] dst, int offset, int length) {
        long address = checkRange(src, srcOffset, length, 4);
        makeCurrent();
        CudaNative.copyFloatsToHost(dst, offset, length, address, stream);
    }

    /** Waits for the stream, then copies the first {@code dst.length} elements of {@code src} into {@code dst}. */
    public void download(DeviceBuffer src, int[] dst) {
        download(src, 0, dst, 0, dst.length);
    }

    public void download(DeviceBuffer src, long srcOffset, int[] dst, int offset, int length) {
        long address = checkRange(src, srcOffset, length, 4);
        makeCurrent();
        CudaNative.copyIntsToHost(dst, offset, length, address, stream);
    }

    /** Waits for the stream, then fills the remaining bytes of the direct buffer {@code dst} (position unchanged). */
    public void download(DeviceBuffer src, ByteBuffer dst) {
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("download into a direct buffer");
        }
        long bytes = dst.remaining();
        if (bytes > src.bytes()) {
            throw new IllegalArgumentException(bytes + " bytes requested from " + src);
        }
        owned(src);
        synchronize();
        CudaNative.copyToHost(dst, src.address(), bytes);
    }

    /** All elements of an F32 (or BYTES) buffer, after the stream's queued work. */
    public float[] downloadFloats(DeviceBuffer src) {
        float[] values = new float[Math.toIntExact(src.bytes() / 4)];
        download(src, values);
        return values;
    }

    /** All elements of an I32/U32 (or BYTES) buffer, after the stream's queued work. */
    public int[] downloadInts(DeviceBuffer src) {
        int[] values = new int[Math.toIntExact(src.bytes() / 4)];
        download(src, values);
        return values;
    }

    // ---- on the stream ----

    /** Sets every byte of {@code buffer} to 0 (asynchronous). */
    public void zero(DeviceBuffer buffer) {
        fill(buffer, 0);
    }

    /**
     * Sets every byte of {@code buffer} to {@code byteValue} (asynchronous). 0xFF makes every F32 and F16 element a
     * NaN and every I32 element -1.
     */
    public void fill(DeviceBuffer buffer, int byteValue) {
        owned(buffer);
        makeCurrent();
        CudaNative.memset(buffer.address(), byteValue, buffer.bytes(), stream);
    }

    /** Copies all of {@code src} to the start of {@code dst} (asynchronous). */
    public void copy(DeviceBuffer src, DeviceBuffer dst) {
        if (src.bytes() > dst.bytes()) {
            throw new IllegalArgumentException(src + " does not fit in " + dst);
        }
        owned(src);
        owned(dst);
        makeCurrent();
        CudaNative.copyDeviceToDevice(dst.address(), src.address(), src.bytes(), stream);
    }

    /** Waits for everything queued on the stream; execution errors surface here as {@link CudaException}. */
    public void synchronize() {
        makeCurrent();
        CudaNative.streamSynchronize(stream);
    }

    /**
     * Records the launches {@code launches} makes on {@link #stream()} (nothing runs while capturing) into an
     * executable graph owned by this context. If {@code launches} throws, the capture is ended and discarded and
     * the exception propagates. While capturing, nothing may synchronise with the stream: no copies to or from the
     * host (here or, on this device, from another thread: they run on the legacy default stream, which waits for
     * this one) and no {@link #synchronize()}; CUDA reports them as capture errors.
     */
    public CudaGraph captureGraph(Runnable launches) {
        makeCurrent();
        CudaNative.graphBeginCapture(stream);
        long handle;
        try {
            launches.run();
        } catch (RuntimeException | Error e) {
            try {
                CudaNative.graphDestroy(CudaNative.graphEndCapture(stream));
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        handle = CudaNative.graphEndCapture(stream);
        CudaGraph graph = new CudaGraph(this, handle);
        synchronized (this) {
            if (closed) {
                CudaNative.graphDestroy(handle);
                throw new IllegalStateException("CUDA context closed during capture");
            }
            graphs.add(graph);
        }
        return graph;
    }

    void launch(CudaGraph graph) {
        synchronized (this) {
            ensureOpen();
            if (!graphs.contains(graph)) {
                throw new IllegalArgumentException("the graph belongs to another CUDA context");
            }
        }
        CudaNative.setDevice(device);
        CudaNative.graphLaunch(graph.handle(), stream);
    }

    // ---- release ----

    void release(DeviceBuffer buffer) {
        synchronized (this) {
            if (!buffer.markClosed()) {
                return;
            }
            buffers.remove(buffer);
            allocatedBytes -= buffer.bytes();
            if (closed) {
                return;
            }
        }
        CudaNative.setDevice(device);
        CudaNative.free(buffer.rawAddress());
    }

    void release(CudaGraph graph) {
        synchronized (this) {
            if (!graph.markClosed()) {
                return;
            }
            graphs.remove(graph);
            if (closed) {
                return;
            }
        }
        CudaNative.setDevice(device);
        CudaNative.graphDestroy(graph.handle());
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Waits for the stream, destroys every graph, frees every buffer and destroys the stream (idempotent). Every
     * step is attempted; the first failure is thrown afterwards with the others suppressed.
     */
    @Override
    public void close() {
        List<DeviceBuffer> ownBuffers;
        List<CudaGraph> ownGraphs;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ownBuffers = new ArrayList<>(buffers);
            ownGraphs = new ArrayList<>(graphs);
            buffers.clear();
            graphs.clear();
            allocatedBytes = 0;
        }
        List<RuntimeException> failures = new ArrayList<>();
        attempt(failures, () -> CudaNative.setDevice(device));
        attempt(failures, () -> CudaNative.streamSynchronize(stream));
        for (CudaGraph graph : ownGraphs) {
            if (graph.markClosed()) {
                attempt(failures, () -> CudaNative.graphDestroy(graph.handle()));
            }
        }
        for (DeviceBuffer buffer : ownBuffers) {
            if (buffer.markClosed()) {
                attempt(failures, () -> CudaNative.free(buffer.rawAddress()));
            }
        }
        attempt(failures, () -> CudaNative.streamDestroy(stream));
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) {
                first.addSuppressed(failures.get(i));
            }
            throw first;
        }
    }

    private static void attempt(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    private void ensureOpen() {
        if (isClosed()) {
            throw new IllegalStateException("CUDA context on device " + device + " is closed");
        }
    }

    private void owned(DeviceBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.context() != this) {
            throw new IllegalArgumentException(buffer + " belongs to another CUDA context");
        }
        buffer.ensureOpen();
    }

    /** The address of {@code count} elements of {@code elementBytes} at element {@code offset} of {@code buffer}. */
    private long checkRange(DeviceBuffer buffer, long offset, long count, int elementBytes) {
        owned(buffer);
        long start = Math.multiplyExact(offset, (long) elementBytes);
        long bytes = Math.multiplyExact(count, (long) elementBytes);
        if (offset < 0 || count < 0 || start + bytes > buffer.bytes()) {
            throw new IndexOutOfBoundsException(count + " elements at " + offset + " outside " + buffer);
        }
        return buffer.address() + start;
    }

    @Override
    public String toString() {
        return "CudaContext[device " + device + ", " + allocatedBytes() + " bytes allocated" + (isClosed()
                ? ", closed]"
                : "]");
    }
}
