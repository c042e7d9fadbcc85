package io.rewoo4j.planner;

import java.util.Objects;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * Parses ReWOO plans, whole or as a model streams them.
 *
 * <p>The grammar is tolerant of what instruction models actually write: {@code Plan:} lines in several spellings,
 * {@code :evidenceN: = Tool[input]} and {@code #En = Tool[input]} steps, inputs with nested brackets or spanning
 * lines, an {@code Answer:} that is a reference, a template or missing, and any preamble before the plan. See
 * {@link IncrementalPlanParser} for the rules. Anything it cannot read is a {@link PlanParseException} naming the
 * line; it never throws anything else and always terminates in time linear in the input.
 *
 * <p>Instances are immutable and thread-safe; each parse has its own state.
 */
public final class PlanParser {

    private final PlanParserOptions options;

    public PlanParser() {
        this(PlanParserOptions.defaults());
    }

    public PlanParser(PlanParserOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public PlanParserOptions options() {
        return options;
    }

    /** A fresh push parser for one plan. */
    public IncrementalPlanParser incremental() {
        return new IncrementalPlanParser(options);
    }

    /**
     * Parses a whole plan.
     *
     * @throws PlanParseException naming the offending line
     */
    public PlanGraph parse(String text) {
        IncrementalPlanParser parser = incremental();
        try {
            parser.feed(text);
            return parser.finishGraph();
        } catch (PlanParseException e) {
            throw ForwardReferences.refine(e, text);
        }
    }

    /**
     * Parses a plan as it streams: emits a {@link PlanEvent.StepParsed} the moment each step's definition is complete
     * (chunks may split lines and words anywhere), then one {@link PlanEvent.Completed} with the graph when the
     * chunks complete. A bad plan ends the flux with a {@link PlanParseException}; steps emitted before it stay valid.
     * Cancelling the returned flux cancels the chunk source.
     */
    public Flux<PlanEvent> parse(Publisher<String> chunks) {
        return Flux.defer(() -> {
            IncrementalPlanParser parser = incremental();
            Flux<PlanEvent> steps = Flux.from(chunks).concatMapIterable(parser::feed);
            return steps.concatWith(Flux.defer(() -> Flux.fromIterable(parser.finish())));
        });
    }
}
