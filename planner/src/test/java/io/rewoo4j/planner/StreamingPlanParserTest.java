package io.rewoo4j.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class StreamingPlanParserTest {

    private final PlanParser parser = new PlanParser();

    @Test
    void emitsEachStepTheMomentItsLineIsComplete() {
        Sinks.Many<String> model = Sinks.many().unicast().onBackpressureBuffer();

        StepVerifier.create(parser.parse(model.asFlux()))
                .then(() -> model.tryEmitNext("Plan: search\n:evid"))
                .then(() -> model.tryEmitNext("ence0: = DuckDuckGo[Nobel 20"))
                .expectNoEvent(java.time.Duration.ZERO)
                .then(() -> model.tryEmitNext("20]\nPlan: read it\n"))
                .assertNext(e -> assertThat(((PlanEvent.StepParsed) e).step().input()).isEqualTo("Nobel 2020"))
                .then(() -> model.tryEmitNext(":evidence1: = KnowledgeModel[Who, given :evidence0:?]"))
                .expectNoEvent(java.time.Duration.ZERO)
                .then(() -> model.tryEmitNext("\nAnswer: :evidence1:"))
                .assertNext(e -> assertThat(((PlanEvent.StepParsed) e).step().dependsOn()).containsExactly("evidence0"))
                .then(model::tryEmitComplete)
                .assertNext(e -> assertThat(((PlanEvent.Completed) e).graph().answer()).isEqualTo(":evidence1:"))
                .verifyComplete();
    }

    @Test
    void anyChunkingGivesTheSameEvents() {
        PlanGraph expected = parser.parse(PlanParserTest.SEED_PLAN);
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            List<String> chunks = split(PlanParserTest.SEED_PLAN.replace("\n", trial % 2 == 0 ? "\n" : "\r\n"), random);
            List<PlanEvent> events = parser.parse(Flux.fromIterable(chunks)).collectList().block();
            assertThat(events).hasSize(expected.steps().size() + 1);
            assertThat(events.get(events.size() - 1)).isEqualTo(new PlanEvent.Completed(expected));
        }
    }

    @Test
    void aBadLineEndsTheStreamAfterTheValidStepsBeforeIt() {
        StepVerifier.create(parser.parse(Flux.just(":evidence0: = A[x]\n:evidence1: = B[:evidence9:]\n:evidence2: = C[y]\n")))
                .assertNext(e -> assertThat(((PlanEvent.StepParsed) e).step().id()).isEqualTo("evidence0"))
                .expectErrorSatisfies(t -> {
                    assertThat(t).isInstanceOf(PlanParseException.class);
                    assertThat(((PlanParseException) t).line()).isEqualTo(2);
                })
                .verify();
    }

    @Test
    void cancellingTheParseCancelsTheModelStream() {
        Sinks.Many<String> model = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.create(parser.parse(model.asFlux()))
                .then(() -> model.tryEmitNext(":evidence0: = A[x]\n"))
                .expectNextCount(1)
                .thenCancel()
                .verify();
        assertThat(model.currentSubscriberCount()).isZero();
    }

    private static List<String> split(String text, Random random) {
        List<String> chunks = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int n = 1 + random.nextInt(12);
            chunks.add(text.substring(i, Math.min(text.length(), i + n)));
            i += n;
        }
        return chunks;
    }
}
