package io.rewoo4j.core.execute;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import reactor.core.scheduler.Scheduler;

/**
 * The time source of one run: the scheduler's wall clock read once at the start, advanced by its monotonic clock.
 * Timestamps are therefore precise to the nanosecond where the scheduler's clock is, never go backwards within a run,
 * and follow virtual time when the scheduler is a virtual-time scheduler.
 */
public final class RunClock {

    private final Scheduler scheduler;
    private final Instant epochAtStart;
    private final long nanosAtStart;

    private RunClock(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.nanosAtStart = scheduler.now(TimeUnit.NANOSECONDS);
        this.epochAtStart = Instant.ofEpochMilli(scheduler.now(TimeUnit.MILLISECONDS));
    }

    /** A clock starting now on the scheduler's time. */
    public static RunClock start(Scheduler scheduler) {
        return new RunClock(scheduler);
    }

    public Instant now() {
        return epochAtStart.plusNanos(scheduler.now(TimeUnit.NANOSECONDS) - nanosAtStart);
    }
}
