package io.rewoo4j.runtime.gptq;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Where the CPU kernels run their tiles. Matrix-vector products split the output columns into tiles and run them
 * on one {@link ForkJoinPool} shared by every layer ({@link #shared()}), sized by the system property
 * {@code rewoo.runtime.cpu.threads} (default: all available processors). A dedicated pool, not the common pool,
 * so that parallel streams elsewhere in the application do not compete with (or starve) the forward pass.
 */
public final class KernelThreads {
    private static final KernelThreads SERIAL = new KernelThreads(null);
    private static volatile KernelThreads shared;

    private final ForkJoinPool pool;

    private KernelThreads(ForkJoinPool pool) {
        this.pool = pool;
    }

    /** The process-wide pool (created on first use). */
    public static KernelThreads shared() {
        KernelThreads s = shared;
        if (s == null) {
            synchronized (KernelThreads.class) {
                s = shared;
                if (s == null) {
                    int n = Integer.getInteger("rewoo.runtime.cpu.threads", Runtime.getRuntime().availableProcessors());
                    s = n <= 1 ? SERIAL : withThreads(n);
                    shared = s;
                }
            }
        }
        return s;
    }

    /** Runs every tile on the calling thread. */
    public static KernelThreads serial() {
        return SERIAL;
    }

    /** A pool of its own with {@code threads} workers (daemon threads). */
    public static KernelThreads withThreads(int threads) {
        if (threads <= 1) {
            return SERIAL;
        }
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("rewoo-cpu-kernel-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        };
        return new KernelThreads(new ForkJoinPool(threads, factory, null, false));
    }

    public int parallelism() {
        return pool == null ? 1 : pool.getParallelism();
    }

    /** Calls {@code body} for every tile in {@code [0, tiles)}, in parallel where there is a pool. */
    public void forEachTile(int tiles, IntConsumer body) {
        if (pool == null || tiles <= 1) {
            for (int t = 0; t < tiles; t++) {
                body.accept(t);
            }
            return;
        }
        RangeTask task = new RangeTask(0, tiles, body);
        if (java.util.concurrent.ForkJoinTask.getPool() == pool) {
            task.invoke();
        } else {
            pool.invoke(task);
        }
    }

    private static final class RangeTask extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final int from;
        private final int to;
        private final transient IntConsumer body;

        RangeTask(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new RangeTask(from, mid, body), new RangeTask(mid, to, body));
        }
    }
}
