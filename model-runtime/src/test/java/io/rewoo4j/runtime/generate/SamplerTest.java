package io.rewoo4j.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SamplerTest {
    /** Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1. */
    private static final float[] FOUR = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15),
            (float) Math.log(0.05)};

    @Test
    void greedyTakesTheArgmaxAndLeavesTheLogitsAlone() {
        float[] logits = {0.1f, 3f, -2f, 2.9f};
        float[] copy = logits.clone();
        assertThat(new Sampler(SamplingSettings.greedy()).sample(logits, new int[0])).isEqualTo(1);
        assertThat(logits).containsExactly(copy);
    }

    @Test
    void theSameSeedReplaysTheSameTokensAndAnotherSeedDiffers() {
        SamplingSettings s = SamplingSettings.sampling(1f, 42);
        int[] a = draw(new Sampler(s), FOUR, 200);
        int[] b = draw(new Sampler(s), FOUR, 200);
        int[] c = draw(new Sampler(s.withSeed(43)), FOUR, 200);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void samplingFollowsTheSoftmaxAndTemperatureSharpensIt() {
        int[] counts = histogram(draw(new Sampler(SamplingSettings.sampling(1f, 7)), FOUR, 40_000), 4);
        assertThat(counts[0] / 40_000.0).isCloseTo(0.5, within(0.015));
        assertThat(counts[1] / 40_000.0).isCloseTo(0.3, within(0.015));
        assertThat(counts[3] / 40_000.0).isCloseTo(0.05, within(0.01));

        double[] cold = Sampler.probabilities(FOUR, 0.5f, 0, 1f);
        // p ∝ p₀² at temperature 1/2
        double z = 0.25 + 0.09 + 0.0225 + 0.0025;
        assertThat(cold[0]).isCloseTo(0.25 / z, within(1e-6));
        assertThat(cold[3]).isCloseTo(0.0025 / z, within(1e-6));
    }

    @Test
    void topKKeepsOnlyTheKMostLikelyRenormalised() {
        double[] p = Sampler.probabilities(FOUR, 1f, 2, 1f);
        assertThat(p[0]).isCloseTo(0.5 / 0.8, within(1e-6));
        assertThat(p[1]).isCloseTo(0.3 / 0.8, within(1e-6));
        assertThat(p[2]).isZero();
        assertThat(p[3]).isZero();
        int[] counts = histogram(draw(new Sampler(SamplingSettings.sampling(5f, 1).withTopK(2)), FOUR, 2000), 4);
        assertThat(counts[2] + counts[3]).isZero();
        assertThat(draw(new Sampler(SamplingSettings.sampling(100f, 1).withTopK(1)), FOUR, 100)).containsOnly(0);
    }

    @Test
    void topPKeepsTheSmallestNucleusReachingP() {
        assertThat(nonZero(Sampler.probabilities(FOUR, 1f, 0, 0.45f))).isEqualTo(1);
        assertThat(nonZero(Sampler.probabilities(FOUR, 1f, 0, 0.75f))).isEqualTo(2);
        assertThat(nonZero(Sampler.probabilities(FOUR, 1f, 0, 0.81f))).isEqualTo(3);
        assertThat(nonZero(Sampler.probabilities(FOUR, 1f, 0, 1f))).isEqualTo(4);
        double[] p = Sampler.probabilities(FOUR, 1f, 0, 0.75f);
        assertThat(p[0]).isCloseTo(0.5 / 0.8, within(1e-6));
        // applied after top-k: the nucleus of the top-3 distribution
        double[] both = Sampler.probabilities(FOUR, 1f, 3, 0.9f);
        assertThat(nonZero(both)).isEqualTo(3);
        int[] counts = histogram(draw(new Sampler(SamplingSettings.sampling(1f, 3).withTopP(0.75f)), FOUR, 4000), 4);
        assertThat(counts[2] + counts[3]).isZero();
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOncePerToken() {
        float[] logits = {2f, -2f, 1f, 4f};
        Sampler.applyRepetitionPenalty(logits, new int[] {0, 1, 1, 1}, 2f);
        assertThat(logits).containsExactly(1f, -4f, 1f, 4f);

        float[] close = {3f, 2.5f};
        assertThat(new Sampler(SamplingSettings.greedy()).sample(close, new int[] {0})).isZero();
        assertThat(new Sampler(SamplingSettings.greedy().withRepetitionPenalty(1.5f)).sample(close, new int[] {0}))
                .isEqualTo(1);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> SamplingSettings.sampling(-1f, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> SamplingSettings.greedy().withTopP(0f)).hasMessageContaining("topP");
        assertThatThrownBy(() -> SamplingSettings.greedy().withTopK(-1)).hasMessageContaining("topK");
        assertThatThrownBy(() -> SamplingSettings.greedy().withRepetitionPenalty(0f))
                .hasMessageContaining("repetitionPenalty");
    }

    private static int[] draw(Sampler s, float[] logits, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(logits, new int[0]);
        }
        return out;
    }

    private static int[] histogram(int[] tokens, int vocab) {
        int[] c = new int[vocab];
        for (int t : tokens) {
            c[t]++;
        }
        return c;
    }

    private static int nonZero(double[] p) {
        int n = 0;
        for (double v : p) {
            n += v > 0 ? 1 : 0;
        }
        return n;
    }
}
