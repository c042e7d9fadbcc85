package io.rewoo4j.tools.scrape.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark metric, checked against values worked out by hand and against Python's {@code re} tokens. */
class ShingleMetricTest {

    @Test
    void tokensAreWordCharacterRunsAsPythonSplitsThem() {
        // Expected values are what Python 3's re.findall(r'\w+', text) returns.
        assertThat(ShingleMetric.tokens("don't stop_me now")).containsExactly("don", "t", "stop_me", "now");
        assertThat(ShingleMetric.tokens("naïve café ² ½ x")).containsExactly("naïve", "café", "²", "½", "x");
        assertThat(ShingleMetric.tokens("東京タワー、2019年")).containsExactly("東京タワー", "2019年");
        // Python's \w has no combining marks: Devanagari vowel signs and a combining accent split words.
        assertThat(ShingleMetric.tokens("हिन्दी भाषा")).containsExactly("ह", "न", "द", "भ", "ष");
        assertThat(ShingleMetric.tokens("e\u0301te")).containsExactly("e", "te");
        assertThat(ShingleMetric.tokens("Case Kept")).containsExactly("Case", "Kept");
    }

    @Test
    void shinglesAreCountedFourTokensAtATime() {
        Map<List<String>, Integer> shingles = ShingleMetric.shingles("a b c d a b c d");

        assertThat(shingles).hasSize(4)
                .containsEntry(List.of("a", "b", "c", "d"), 2)
                .containsEntry(List.of("b", "c", "d", "a"), 1);
    }

    @Test
    void aShortTextIsOneShortShingleAndAnEmptyTextNone() {
        assertThat(ShingleMetric.shingles("only two")).containsExactly(Map.entry(List.of("only", "two"), 1));
        assertThat(ShingleMetric.shingles(" ... ")).isEmpty();
    }

    @Test
    void countsAreNormalisedPerPage() {
        // truth: abcd, bcde, cdef; predicted: abcd, bcde, cdex. TP 2, FP 1, FN 1, divided by their sum 4.
        ShingleMetric.PageCounts counts = ShingleMetric.compare("a b c d e f", "a b c d e x");

        assertThat(counts.tp()).isCloseTo(2 / 4.0, within(1e-12));
        assertThat(counts.fp()).isCloseTo(1 / 4.0, within(1e-12));
        assertThat(counts.fn()).isCloseTo(1 / 4.0, within(1e-12));
        assertThat(counts.precision()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(counts.recall()).isCloseTo(2 / 3.0, within(1e-12));
    }

    @Test
    void summaryAveragesPagesAndTakesF1FromTheMeans() {
        ShingleMetric.PageCounts perfect = ShingleMetric.compare("one two three four five", "one two three four five");
        ShingleMetric.PageCounts half = ShingleMetric.compare("a b c d e", "a b c d");
        ShingleMetric.PageCounts nothingPredicted = ShingleMetric.compare("p q r s", "");
        ShingleMetric.PageCounts bothEmpty = ShingleMetric.compare("", "");

        ShingleMetric.Summary summary = ShingleMetric.summarise(List.of(perfect, half, nothingPredicted, bothEmpty));

        // half: truth {abcd, bcde}, predicted {abcd}: precision 1, recall 1/2.
        // nothingPredicted has no predicted shingle: left out of the precision mean, recall 0.
        // bothEmpty has no shingle at all: left out of both means.
        assertThat(summary.precision()).isCloseTo((1 + 1) / 2.0, within(1e-12));
        assertThat(summary.recall()).isCloseTo((1 + 0.5 + 0) / 3.0, within(1e-12));
        double p = summary.precision();
        double r = summary.recall();
        assertThat(summary.f1()).isCloseTo(2 * p * r / (p + r), within(1e-12));
    }
}
