package io.rewoo4j.core.execute;

import io.rewoo4j.planner.PlanEvent;
import reactor.core.publisher.BaseSubscriber;

/** The run's subscription to the plan stream: forwards every signal to the run's queue. */
final class PlanSubscription extends BaseSubscriber<PlanEvent> {

    private final PlanRun run;

    PlanSubscription(PlanRun run) {
        this.run = run;
    }

    @Override
    protected void hookOnNext(PlanEvent event) {
        run.signal(new RunSignal.PlanEventArrived(event));
    }

    @Override
    protected void hookOnComplete() {
        run.signal(RunSignal.PlanStreamCompleted.INSTANCE);
    }

    @Override
    protected void hookOnError(Throwable error) {
        run.signal(new RunSignal.PlanStreamFailed(error));
    }
}
