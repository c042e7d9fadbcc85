package io.rewoo4j.core.execute;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.planner.PlanEvent;
import org.reactivestreams.Publisher;

/** Everything that can change a run's state; {@link PlanRun} handles them one at a time, in arrival order. */
sealed interface RunSignal {

    record Start(Publisher<PlanEvent> plan) implements RunSignal {
    }

    record PlanEventArrived(PlanEvent event) implements RunSignal {
    }

    record PlanStreamCompleted() implements RunSignal {
        static final PlanStreamCompleted INSTANCE = new PlanStreamCompleted();
    }

    record PlanStreamFailed(Throwable error) implements RunSignal {
    }

    record PermitGranted(StepNode node) implements RunSignal {
    }

    record ToolSucceeded(StepNode node, Evidence evidence) implements RunSignal {
    }

    record ToolFailed(StepNode node, Throwable error) implements RunSignal {
    }

    record ToolCompletedEmpty(StepNode node) implements RunSignal {
    }

    record DeadlinePassed() implements RunSignal {
        static final DeadlinePassed INSTANCE = new DeadlinePassed();
    }

    record Cancelled() implements RunSignal {
        static final Cancelled INSTANCE = new Cancelled();
    }
}
