package io.rewoo4j.core.execute;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.ToIntFunction;

import reactor.util.concurrent.Queues;

/**
 * Permits for tool calls, shared by every run of one executor: at most {@code globalLimit} calls at once in all, and
 * at most the tool's own limit per tool. A request that cannot be served at once waits in its tool's FIFO lane; a
 * freed permit goes to the longest-waiting request whose tool has room, so one saturated tool does not hold up the
 * others and no run is starved.
 *
 * <p>The lock guards only counters and lanes and is never held while calling out: grants are handed over afterwards
 * through a trampoline, so a grant that synchronously completes a call (and releases again) cannot recurse without
 * bound, however many runs pass permits to each other.
 */
final class ConcurrencyLimiter {

    private final int globalLimit;
    private final ToIntFunction<String> laneLimit;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final List<Lane> laneList = new ArrayList<>();
    private int inUse;
    private int waiting;
    private long nextSeq;

    private final Queue<Waiter> grants = Queues.<Waiter>unboundedMultiproducer().get();
    private final AtomicInteger grantsWip = new AtomicInteger();

    ConcurrencyLimiter(int globalLimit, ToIntFunction<String> laneLimit) {
        if (globalLimit < 1) {
            throw new IllegalArgumentException("globalLimit must be positive: " + globalLimit);
        }
        this.globalLimit = globalLimit;
        this.laneLimit = laneLimit;
    }

    int globalLimit() {
        return globalLimit;
    }

    /**
     * Takes a permit for {@code tool} now, or queues {@code waiter}, whose {@link Waiter#onGranted()} is called once
     * the permit is taken for it. A waiter may be queued once only.
     *
     * @return whether the permit was taken now (then the waiter is not queued)
     */
    boolean tryAcquire(String tool, Waiter waiter) {
        synchronized (this) {
            Lane lane = lane(tool);
            // a lane with live waiters is always full (release() grants greedily), so capacity alone decides here
            if (inUse < globalLimit && lane.inUse < lane.limit) {
                inUse++;
                lane.inUse++;
                return true;
            }
            waiter.state = Waiter.WAITING;
            waiter.seq = nextSeq++;
            lane.waiters.addLast(waiter);
            waiting++;
            return false;
        }
    }

    /** Returns a permit taken for {@code tool}, and hands freed permits to waiting requests. */
    void release(String tool) {
        synchronized (this) {
            Lane lane = lanes.get(tool);
            if (lane == null || lane.inUse == 0) {
                throw new IllegalStateException("no permit held for " + tool);
            }
            lane.inUse--;
            inUse--;
            if (waiting > 0) {
                grantWaiters();
            }
        }
        dispatchGrants();
    }

    /** Calls in flight now, for tests and metrics. */
    synchronized int inUse() {
        return inUse;
    }

    /** Requests waiting now (withdrawn ones may be counted until they reach the head of their lane). */
    synchronized int waiting() {
        return waiting;
    }

    private Lane lane(String tool) {
        Lane lane = lanes.get(tool);
        if (lane == null) {
            lane = new Lane(laneLimit.applyAsInt(tool));
            lanes.put(tool, lane);
            laneList.add(lane);
        }
        return lane;
    }

    // Called with the lock held.
    private void grantWaiters() {
        while (inUse < globalLimit && waiting > 0) {
            Lane best = null;
            long bestSeq = Long.MAX_VALUE;
            for (int i = 0, n = laneList.size(); i < n; i++) {
                Lane l = laneList.get(i);
                Waiter head = l.waiters.peekFirst();
                while (head != null && head.state == Waiter.ABANDONED) {
                    l.waiters.pollFirst();
                    waiting--;
                    head = l.waiters.peekFirst();
                }
                if (head != null && l.inUse < l.limit && head.seq < bestSeq) {
                    best = l;
                    bestSeq = head.seq;
                }
            }
            if (best == null) {
                return;
            }
            Waiter w = best.waiters.pollFirst();
            waiting--;
            if (Waiter.STATE.compareAndSet(w, Waiter.WAITING, Waiter.GRANTED)) {
                inUse++;
                best.inUse++;
                grants.offer(w);
            }
        }
    }

    private void dispatchGrants() {
        if (grants.isEmpty() || grantsWip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            Waiter w;
            while ((w = grants.poll()) != null) {
                w.onGranted();
            }
            missed = grantsWip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private static final class Lane {
        final int limit;
        int inUse;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

        Lane(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a tool's concurrency limit must be positive: " + limit);
            }
            this.limit = limit;
        }
    }

    /** A queued request for a permit. */
    abstract static class Waiter {
        static final int IDLE = 0;
        static final int WAITING = 1;
        static final int GRANTED = 2;
        static final int ABANDONED = 3;
        static final AtomicIntegerFieldUpdater<Waiter> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Waiter.class, "state");

        volatile int state;
        long seq;

        /** The permit is now held for this request. Called outside the limiter's lock, on any thread; must not block. */
        protected abstract void onGranted();

        /**
         * Withdraws a queued request. Returns {@code false} when it was already granted: the grant is (or will be)
         * delivered to {@link #onGranted()}, whose receiver must then release the permit.
         */
        final boolean abandon() {
            return STATE.compareAndSet(this, WAITING, ABANDONED);
        }
    }
}
