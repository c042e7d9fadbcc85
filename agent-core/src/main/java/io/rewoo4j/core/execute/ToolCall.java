package io.rewoo4j.core.execute;

import io.rewoo4j.core.evidence.Evidence;
import reactor.core.publisher.BaseSubscriber;

/** The subscription to one step's guarded tool call: turns its outcome into exactly one signal to the run. */
final class ToolCall extends BaseSubscriber<Evidence> {

    private final StepNode node;
    private boolean done;
    private volatile Evidence evidence;

    ToolCall(StepNode node) {
        this.node = node;
    }

    @Override
    protected void hookOnNext(Evidence evidence) {
        if (!done) {
            done = true;
            this.evidence = evidence;
            node.run.signal(new RunSignal.ToolSucceeded(node, evidence));
        }
    }

    /** The evidence, once the call has produced it (possibly before the run has handled the signal). */
    Evidence evidence() {
        return evidence;
    }

    @Override
    protected void hookOnComplete() {
        if (!done) {
            done = true;
            node.run.signal(new RunSignal.ToolCompletedEmpty(node));
        }
    }

    @Override
    protected void hookOnError(Throwable error) {
        if (!done) {
            done = true;
            node.run.signal(new RunSignal.ToolFailed(node, error));
        }
    }
}
