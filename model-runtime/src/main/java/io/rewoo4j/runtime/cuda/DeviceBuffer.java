package io.rewoo4j.runtime.cuda;

/**
 * One device allocation made by a {@link CudaContext}: its address, size and element type. It is freed by
 * {@link #close()} or, at the latest, when its context closes.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CudaContext context;
    private final long address;
    private final long bytes;
    private final ElementType type;
    private volatile boolean closed;

    DeviceBuffer(CudaContext context, long address, long bytes, ElementType type) {
        this.context = context;
        this.address = address;
        this.bytes = bytes;
        this.type = type;
    }

    /** The device address (for {@link CudaNative} calls). */
    public long address() {
        ensureOpen();
        return address;
    }

    public long bytes() {
        return bytes;
    }

    public ElementType type() {
        return type;
    }

    public long elementCount() {
        return bytes / type.bytes();
    }

    /** The address of element {@code offsetElements} ({@code 0 .. elementCount()}, the end included). */
    public long slice(long offsetElements) {
        ensureOpen();
        if (offsetElements < 0 || offsetElements > elementCount()) {
            throw new IndexOutOfBoundsException("offset " + offsetElements + " outside 0.." + elementCount()
                    + " elements of " + this);
        }
        return address + offsetElements * type.bytes();
    }

    public CudaContext context() {
        return context;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Frees the allocation now (idempotent). */
    @Override
    public void close() {
        context.release(this);
    }

    /** Marks it freed; returns whether it was open. */
    boolean markClosed() {
        synchronized (this) {
            boolean wasOpen = !closed;
            closed = true;
            return wasOpen;
        }
    }

    /** The address without the open check (for the context's own bookkeeping). */
    long rawAddress() {
        return address;
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("device buffer " + this + " is closed");
        }
    }

    @Override
    public String toString() {
        return String.format("%s[%d] at 0x%x (%d bytes)%s", type, elementCount(), address, bytes,
                closed ? " closed" : "");
    }
}
