package io.rewoo4j.runtime.cuda;

/**
 * An executable CUDA graph captured by {@link CudaContext#captureGraph(Runnable)}: replaying it issues the same
 * launches, with the same arguments, on the context's stream. Device memory the launches read (token ids, positions,
 * step counters) may change between replays; the addresses may not.
 */
public final class CudaGraph implements AutoCloseable {
    private final CudaContext context;
    private final long handle;
    private volatile boolean closed;

    CudaGraph(CudaContext context, long handle) {
        this.context = context;
        this.handle = handle;
    }

    /** Enqueues one replay on the context's stream (asynchronous). */
    public void launch() {
        if (closed) {
            throw new IllegalStateException("CUDA graph is closed");
        }
        context.launch(this);
    }

    long handle() {
        return handle;
    }

    public boolean isClosed() {
        return closed;
    }

    boolean markClosed() {
        synchronized (this) {
            boolean wasOpen = !closed;
            closed = true;
            return wasOpen;
        }
    }

    /** Destroys the executable graph (idempotent). */
    @Override
    public void close() {
        context.release(this);
    }
}
