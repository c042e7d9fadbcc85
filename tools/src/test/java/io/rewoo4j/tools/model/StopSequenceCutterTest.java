package io.rewoo4j.tools.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/** Stop sequences are cut exactly, across chunks, and everything that cannot be a stop is emitted at once. */
class StopSequenceCutterTest {

    private static final Duration LIMIT = Duration.ofSeconds(5);

    @Test
    void stopSequenceSpanningThreeChunksIsCutAndTheSourceCancelled() {
        TestPublisher<String> source = TestPublisher.create();
        StepVerifier.create(StopSequenceCutter.cut(source.flux(), List.of("\nObservation:")))
                .then(() -> source.next("Plan: look it up\nObs"))
                .expectNext("Plan: look it up") // the possible prefix "\nObs" is held back, the rest goes at once
                .then(() -> source.next("erv"))
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> source.next("ation: the model made this up"))
                .expectComplete()
                .verify(LIMIT);
        source.assertCancelled();
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        TestPublisher<String> source = TestPublisher.create();
        StepVerifier.create(StopSequenceCutter.cut(source.flux(), List.of("</s>")))
                .then(() -> source.next("a </"))
                .expectNext("a ")
                .then(() -> source.next("b> c"))
                .expectNext("</b> c")
                .then(source::complete)
                .expectComplete()
                .verify(LIMIT);
    }

    @Test
    void heldBackTextIsEmittedWhenTheSourceEnds() {
        StepVerifier.create(StopSequenceCutter.cut(Flux.just("answer</"), List.of("</s>")))
                .expectNext("answer")
                .expectNext("</")
                .expectComplete()
                .verify(LIMIT);
    }

    @Test
    void stopAtTheVeryStartGivesAnEmptyCompletion() {
        StepVerifier.create(StopSequenceCutter.cut(Flux.just("Obs", "ervation: x"), List.of("Observation:")))
                .expectComplete()
                .verify(LIMIT);
    }

    @Test
    void earliestStopByPositionWinsEvenWhenALaterShorterOneCompletesFirst() {
        // "c" completes at index 2 while "abcd", starting at 0, is still open: wait for it.
        assertThat(cutAll(List.of("abcd", "c"), "ab", "c", "d")).isEmpty();
        assertThat(cutAll(List.of("abcd", "c"), "ab", "c", "x")).isEqualTo("ab");
        assertThat(cutAll(List.of("abcd", "c"), "ab", "c")).isEqualTo("ab");
    }

    @Test
    void withoutStopsChunksPassThroughUnchangedExceptEmptyOnes() {
        StepVerifier.create(StopSequenceCutter.cut(Flux.just("a", "", "b"), List.of("")))
                .expectNext("a", "b")
                .expectComplete()
                .verify(LIMIT);
    }

    @Test
    void errorsArePassedOn() {
        StepVerifier.create(StopSequenceCutter.cut(
                        Flux.just("text").concatWith(Flux.error(new IllegalStateException("boom"))), List.of("STOP")))
                .expectNext("text")
                .expectErrorMessage("boom")
                .verify(LIMIT);
    }

    @Test
    void eachSubscriptionHasItsOwnCutter() {
        Flux<String> cut = StopSequenceCutter.cut(Flux.just("one STOP", " two"), List.of("STOP"));
        StepVerifier.create(cut).expectNext("one ").expectComplete().verify(LIMIT);
        StepVerifier.create(cut).expectNext("one ").expectComplete().verify(LIMIT);
    }

    @Test
    void randomChunkingMatchesCuttingTheWholeText() {
        Random random = new Random(42);
        String alphabet = "ab\n:O";
        for (int round = 0; round < 2000; round++) {
            List<String> stops = new ArrayList<>();
            for (int s = 1 + random.nextInt(3); s > 0; s--) {
                stops.add(randomText(random, alphabet, 1 + random.nextInt(4)));
            }
            String text = randomText(random, alphabet, random.nextInt(30));
            List<String> chunks = new ArrayList<>();
            for (int i = 0; i < text.length(); ) {
                int n = Math.min(text.length() - i, random.nextInt(5));
                chunks.add(text.substring(i, i + n));
                i += n;
            }
            assertThat(cutAll(stops, chunks.toArray(String[]::new)))
                    .as("stops %s, chunks %s", stops, chunks)
                    .isEqualTo(reference(text, stops));
        }
    }

    private static String cutAll(List<String> stops, String... chunks) {
        StopSequenceCutter cutter = new StopSequenceCutter(stops);
        StringBuilder out = new StringBuilder();
        for (String chunk : chunks) {
            out.append(cutter.accept(chunk));
        }
        return out.append(cutter.finish()).toString();
    }

    private static String reference(String text, List<String> stops) {
        int first = text.length();
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                first = Math.min(first, at);
            }
        }
        return text.substring(0, first);
    }

    private static String randomText(Random random, String alphabet, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
