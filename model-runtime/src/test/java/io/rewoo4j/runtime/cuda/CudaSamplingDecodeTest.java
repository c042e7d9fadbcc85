package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.rewoo4j.runtime.model.ModelFixtures.Prompt;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.model.LoadedModel;
import io.rewoo4j.runtime.model.Session;

/**
 * Sampled decoding inside the captured decode step ({@link CudaSession#decodeSampled}) on the committed tiny fixtures:
 * top-k of 1 is the greedy decode, a seed reproduces its sequences (in fresh sessions and after a reset), different
 * seeds and successive replays draw different numbers, every drawn token is among its row's top k logits, and the
 * settings are validated. GPU only.
 *
 * <p>Deterministic fixture: {@code llama-f16} has 64 hidden features, so every split-K linear launch is a single
 * split (no order-dependent atomics) and a decode step is bitwise reproducible; equal token histories give equal
 * logits. Where a test asserts that two random outcomes differ, it first computes from the device logits of the run
 * an upper bound on the probability that they coincide (treating the counter-based draws of distinct (seed, step,
 * row) as independent uniforms) and requires that bound to be negligible, so a failure means a bug, not bad luck.
 */
class CudaSamplingDecodeTest {
    static final String FIXTURE = "llama-f16";
    static final int POSITIONS = 64;
    static final int STEPS = 10;
    /** A temperature high enough that the top-k softmax is nearly uniform (logits of the fixtures span a few units). */
    static final float HIGH_TEMPERATURE = 100f;
    /** The most a coincidence may be likely before a test relies on its absence. */
    static final double NEGLIGIBLE = 1e-12;

    @BeforeEach
    void requireCuda() {
        CudaTestSupport.assumeCuda(); // each test reported as skipped, with the reason, where there is no device
    }

    /** One decode step of a batch: the tokens fed in, the tokens chosen. */
    interface Step {
        int[] next(CudaSession session, int[] lastTokens);
    }

    /**
     * A decoding run: row b was prefilled with prompt b, then {@code fed[b][i]} was appended at step i and
     * {@code drawn[b][i]} chosen from the device logits {@code logits[b][i]} (null unless kept).
     */
    record Run(int[][] fed, int[][] drawn, float[][][] logits) {
    }

    static LoadedModel load(String name) {
        return CudaModelTest.loadCuda(name);
    }

    static CudaModel cuda(LoadedModel model) {
        return model.cudaModel().orElseThrow();
    }

    static List<Prompt> prompts(String name, int batch) {
        List<Prompt> ps = CudaModelTest.prompts(name);
        assertThat(ps).as("prompts of %s", name).hasSizeGreaterThanOrEqualTo(batch);
        return ps.subList(0, batch);
    }

    /** {@code steps} steps of a fresh session over the prompts. */
    static Run run(CudaModel m, List<Prompt> ps, int steps, boolean keepLogits, Step step) {
        try (CudaSession s = m.newSession(POSITIONS, ps.size())) {
            return run(s, ps, steps, keepLogits, step);
        }
    }

    /** Prefills row b with prompt b (its last token chosen by argmax), then {@code steps} steps. */
    static Run run(CudaSession s, List<Prompt> ps, int steps, boolean keepLogits, Step step) {
        int batch = ps.size();
        int[] last = new int[batch];
        for (int b = 0; b < batch; b++) {
            assertThat(s.length(b)).isZero();
            last[b] = CudaModelTest.argmax(s.prefill(b, ps.get(b).tokens()));
        }
        int[][] fed = new int[batch][steps];
        int[][] drawn = new int[batch][steps];
        float[][][] logits = keepLogits ? new float[batch][steps][] : null;
        for (int i = 0; i < steps; i++) {
            for (int b = 0; b < batch; b++) {
                fed[b][i] = last[b];
            }
            last = step.next(s, last);
            assertThat(last).hasSize(batch);
            float[][] rows = keepLogits ? deviceLogits(s.model(), batch) : null;
            for (int b = 0; b < batch; b++) {
                drawn[b][i] = last[b];
                assertThat(last[b]).isBetween(0, s.model().vocab() - 1);
                if (keepLogits) {
                    logits[b][i] = rows[b];
                }
            }
        }
        for (int b = 0; b < batch; b++) {
            assertThat(s.length(b)).as("length of sequence %d", b).isEqualTo(ps.get(b).tokens().length + steps);
        }
        return new Run(fed, drawn, logits);
    }

    /** The logits the last decode step chose from, [rows][vocab]. */
    static float[][] deviceLogits(CudaModel m, int rows) {
        synchronized (m.lock()) {
            return m.downloadLogits(rows);
        }
    }

    /** Rank of {@code token} in the kernel's order: descending logit, ties to the lower index (0 = first). */
    static int rank(float[] logits, int token) {
        int rank = 0;
        for (int v = 0; v < logits.length; v++) {
            if (logits[v] > logits[token] || (logits[v] == logits[token] && v < token)) {
                rank++;
            }
        }
        return rank;
    }

    /** The k-th largest value (k ≥ 1). */
    static float kthLargest(float[] logits, int k) {
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - Math.min(k, sorted.length)];
    }

    /** softmax(logits / temperature) over the top k (in the kernel's order), 0 elsewhere. */
    static double[] topKProbabilities(float[] logits, int k, float temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int v = 0; v < logits.length; v++) {
            if (rank(logits, v) < k) {
                p[v] = Math.exp(((double) logits[v] - max) / temperature);
                sum += p[v];
            }
        }
        for (int v = 0; v < p.length; v++) {
            p[v] /= sum;
        }
        return p;
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void topKOfOneGivesExactlyTheGreedyTokens() {
        try (LoadedModel model = load(FIXTURE)) {
            CudaModel m = cuda(model);
            List<Prompt> ps = prompts(FIXTURE, 3);
            Run greedy = run(m, ps, STEPS, false, CudaSession::decodeGreedy);
            Run topOne = run(m, ps, STEPS, true, (s, t) -> s.decodeSampled(t, 1, 0.8f, 7L));
            assertThat(topOne.drawn()).isDeepEqualTo(greedy.drawn());
            for (int b = 0; b < ps.size(); b++) {
                for (int i = 0; i < STEPS; i++) {
                    assertThat(topOne.drawn()[b][i]).as("row %d step %d", b, i)
                            .isEqualTo(CudaModelTest.argmax(topOne.logits()[b][i]));
                }
            }
            // topK ≤ 0 or temperature ≤ 0 is the greedy path itself
            assertThat(run(m, ps, STEPS, false, (s, t) -> s.decodeSampled(t, 0, 0.8f, 7L)).drawn())
                    .isDeepEqualTo(greedy.drawn());
            assertThat(run(m, ps, STEPS, false, (s, t) -> s.decodeSampled(t, 50, 0f, 7L)).drawn())
                    .isDeepEqualTo(greedy.drawn());
            assertThat(run(m, ps, STEPS, false, (s, t) -> s.decodeSampled(t, -3, -1f, 7L)).drawn())
                    .isDeepEqualTo(greedy.drawn());
        }
    }

    @Test
    void aSeedGivesTheSameSequencesInFreshSessionsAndAfterAReset() {
        try (LoadedModel model = load(FIXTURE)) {
            CudaModel m = cuda(model);
            List<Prompt> ps = prompts(FIXTURE, 3);
            Step step = (s, t) -> s.decodeSampled(t, 16, 1.5f, 42L);
            Run first = run(m, ps, STEPS, false, step);
            Run second = run(m, ps, STEPS, false, step);
            assertThat(second.fed()).isDeepEqualTo(first.fed());
            assertThat(second.drawn()).isDeepEqualTo(first.drawn());
            try (CudaSession s = m.newSession(POSITIONS, ps.size())) {
                Run before = run(s, ps, STEPS, false, step);
                s.reset(); // the step counter starts again at 0
                Run after = run(s, ps, STEPS, false, step);
                assertThat(before.drawn()).isDeepEqualTo(first.drawn());
                assertThat(after.drawn()).isDeepEqualTo(first.drawn());
            }
        }
    }

    /**
     * Bound: the two runs can be identical only if, at every step, the second seed's draw lands on the token the
     * first one drew (with the same history, hence the same logits), so P(identical) ≤ Π p(token drawn by the first
     * run) over all rows and steps, about (1/64)^30 ≈ 1e-54 at this temperature; the test requires the bound
     * computed from the run's logits to be below {@value #NEGLIGIBLE}.
     */
    @Test
    void differentSeedsGiveDifferentSequences() {
        int k = 64;
        try (LoadedModel model = load(FIXTURE)) {
            CudaModel m = cuda(model);
            List<Prompt> ps = prompts(FIXTURE, 3);
            Run a = run(m, ps, STEPS, true, (s, t) -> s.decodeSampled(t, k, HIGH_TEMPERATURE, 1L));
            Run b = run(m, ps, STEPS, false, (s, t) -> s.decodeSampled(t, k, HIGH_TEMPERATURE, 2L));
            double log10Bound = 0;
            for (int r = 0; r < ps.size(); r++) {
                for (int i = 0; i < STEPS; i++) {
                    double[] p = topKProbabilities(a.logits()[r][i], k, HIGH_TEMPERATURE);
                    log10Bound += Math.log10(p[a.drawn()[r][i]]);
                }
            }
            System.out.printf("different seeds: P(identical sequences) <= 1e%.1f%n", log10Bound);
            assertThat(log10Bound).as("log10 of the coincidence bound").isLessThan(Math.log10(NEGLIGIBLE));
            assertThat(Arrays.deepEquals(a.drawn(), b.drawn())).as("the sequences of seeds 1 and 2 are identical")
                    .isFalse();
        }
    }

    /**
     * The same step, prefix and seed drawn again at later steps of the counter (sequence 0 reset alone, which keeps
     * the counter): all {@code n} tokens can agree only with probability Σ_v p(v)^n, required below
     * {@value #NEGLIGIBLE}. The first draw, at step 0, is a fresh session's.
     */
    @Test
    void eachReplayDrawsFreshNumbers() {
        int k = 64;
        int n = 12;
        long seed = 5L;
        try (LoadedModel model = load(FIXTURE)) {
            CudaModel m = cuda(model);
            List<Prompt> ps = prompts(FIXTURE, 1);
            Step step = (s, t) -> s.decodeSampled(t, k, HIGH_TEMPERATURE, seed);
            Run fresh = run(m, ps, 1, false, step);
            int[] tokens = ps.get(0).tokens();
            List<Integer> draws = new ArrayList<>();
            float[] logits = null;
            try (CudaSession s = m.newSession(POSITIONS, 1)) {
                for (int j = 0; j < n; j++) {
                    s.reset(0);
                    int first = CudaModelTest.argmax(s.prefill(0, tokens));
                    assertThat(first).isEqualTo(fresh.fed()[0][0]);
                    draws.add(s.decodeSampled(new int[] {first}, k, HIGH_TEMPERATURE, seed)[0]);
                    float[] l = deviceLogits(m, 1)[0];
                    if (logits == null) {
                        logits = l;
                    } else {
                        assertThat(l).as("logits of replay %d", j).containsExactly(logits);
                    }
                }
            }
            assertThat(draws.get(0)).as("step 0 of a session").isEqualTo(fresh.drawn()[0][0]);
            double allEqual = 0;
            for (double p : topKProbabilities(logits, k, HIGH_TEMPERATURE)) {
                allEqual += Math.pow(p, n);
            }
            System.out.printf("fresh draws: P(%d equal tokens) = %.3g%n", n, allEqual);
            assertThat(allEqual).isLessThan(NEGLIGIBLE);
            Set<Integer> distinct = new HashSet<>(draws);
            assertThat(distinct).as("tokens of %s", draws).hasSizeGreaterThan(1);
        }
    }

    /**
     * Against the device logits the kernel chose from: the token's rank (descending, ties to the lower index) is
     * below k, exactly. Against the CPU backend's logits of the same tokens: with ε = max |device − CPU| over the row,
     * the token's CPU logit is at least the CPU's k-th largest minus 2ε (the device's k-th largest is within ε of
     * it, and the token's own logit moves by at most ε), which allows for near ties at the cut. Sampling must also
     * have left the arg-max somewhere: P(every draw is its row's arg-max) = Π p(arg-max), required below
     * {@value #NEGLIGIBLE}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-f16", "mixtral-f16-window8"})
    void everySampledTokenIsAmongItsRowsTopKLogits(String name) {
        int k = 8;
        float temperature = 2f;
        try (LoadedModel gpu = load(name);
                LoadedModel cpu = LoadedModel.load(CudaModelTest.model(name), KernelThreads.withThreads(2))) {
            CudaModel m = cuda(gpu);
            List<Prompt> ps = prompts(name, 3);
            Run run = run(m, ps, STEPS, true, (s, t) -> s.decodeSampled(t, k, temperature, 2024L));
            double log10AllArgmax = 0;
            int notArgmax = 0;
            int withinCpuTopK = 0;
            double worstEps = 0;
            for (int b = 0; b < ps.size(); b++) {
                int[] prompt = ps.get(b).tokens();
                int[] all = Arrays.copyOf(prompt, prompt.length + STEPS);
                System.arraycopy(run.fed()[b], 0, all, prompt.length, STEPS);
                float[][] reference;
                try (Session session = cpu.newSession()) {
                    reference = session.logitsPerPosition(all);
                }
                for (int i = 0; i < STEPS; i++) {
                    int token = run.drawn()[b][i];
                    float[] g = run.logits()[b][i];
                    float[] c = reference[prompt.length + i];
                    assertThat(rank(g, token)).as("%s row %d step %d: rank of %d in the device logits", name, b, i,
                            token).isLessThan(k);
                    assertThat(CudaModelTest.relativeL2(g, c, 0)).as("%s row %d step %d: device vs CPU logits", name,
                            b, i).isLessThanOrEqualTo(CudaModelTest.TOLERANCE);
                    double eps = 0;
                    for (int v = 0; v < g.length; v++) {
                        eps = Math.max(eps, Math.abs((double) g[v] - c[v]));
                    }
                    worstEps = Math.max(worstEps, eps);
                    float kth = kthLargest(c, k);
                    assertThat((double) c[token]).as("%s row %d step %d: CPU logit of %d vs the CPU's %d-th largest %s"
                            + " (ε = %s)", name, b, i, token, k, kth, eps).isGreaterThanOrEqualTo(kth - 2 * eps);
                    if (rank(c, token) < k) {
                        withinCpuTopK++;
                    }
                    int argmax = CudaModelTest.argmax(g);
                    log10AllArgmax += Math.log10(topKProbabilities(g, k, temperature)[argmax]);
                    if (token != argmax) {
                        notArgmax++;
                    }
                }
            }
            int draws = ps.size() * STEPS;
            System.out.printf("%s: %d/%d draws in the CPU top-%d (the rest within 2ε, worst ε %.3g), %d not the "
                    + "arg-max, P(all arg-max) <= 1e%.1f%n", name, withinCpuTopK, draws, k, worstEps, notArgmax,
                    log10AllArgmax);
            assertThat(log10AllArgmax).isLessThan(Math.log10(NEGLIGIBLE));
            assertThat(notArgmax).as("draws that are not their row's arg-max").isPositive();
        }
    }

    /**
     * More distinct settings than a session keeps graphs for: the least recently used ones are destroyed and
     * captured again, and the tokens still follow from (seed, step, row) alone.
     */
    @Test
    void settingsBeyondTheGraphCacheAreCapturedAgainWithTheSameDraws() {
        int distinct = CudaSession.MAX_SAMPLED_GRAPHS + 2;
        int steps = 2 * distinct;
        try (LoadedModel model = load(FIXTURE)) {
            CudaModel m = cuda(model);
            List<Prompt> ps = prompts(FIXTURE, 1);
            assertThat(ps.get(0).tokens().length + steps).isLessThanOrEqualTo(POSITIONS);
            int[] counter = new int[1];
            Step rotating = (s, t) -> s.decodeSampled(t, 32, 3f, 1000L + counter[0]++ % distinct);
            Run a = run(m, ps, steps, false, rotating);
            counter[0] = 0;
            Run b = run(m, ps, steps, false, rotating);
            assertThat(b.drawn()).isDeepEqualTo(a.drawn());
        }
    }

    @Test
    void settingsAreValidated() {
        try (LoadedModel model = load(FIXTURE)) {
            CudaModel m = cuda(model);
            int vocab = m.vocab();
            try (CudaSession s = m.newSession(POSITIONS, 2)) {
                int[] last = {CudaModelTest.argmax(s.prefill(0, new int[] {1, 5, 9})), 3};
                s.prefill(1, new int[] {4});
                assertThatThrownBy(() -> s.decodeSampled(last, CudaSession.MAX_TOP_K + 1, 1f, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 1024");
                assertThatThrownBy(() -> s.decodeSampled(last, 5, Float.NaN, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
                assertThatThrownBy(() -> s.decodeSampled(last, 5, Float.POSITIVE_INFINITY, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
                assertThatThrownBy(() -> s.decodeSampled(last, 0, Float.NaN, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
                assertThatThrownBy(() -> s.decodeSampled(new int[] {1, 2, 3}, 5, 1f, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..2 tokens");
                assertThatThrownBy(() -> s.decodeSampled(new int[] {vocab}, 5, 1f, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
                assertThatThrownBy(() -> s.decodeSampled(last, null))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> new CudaSession.Sampling(0, 1f, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..1024");
                assertThatThrownBy(() -> new CudaSession.Sampling(5, 0f, 0L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
                assertThat(s.length(0)).as("nothing appended by a rejected call").isEqualTo(3);
                assertThat(s.length(1)).isEqualTo(1);
                // a top-k beyond the vocabulary keeps every token (the kernel's k is clamped to the vocabulary)
                int[] next = s.decodeSampled(last, CudaSession.MAX_TOP_K, 1f, 9L);
                assertThat(next).hasSize(2);
                for (int t : next) {
                    assertThat(t).isBetween(0, vocab - 1);
                }
                assertThat(s.length(0)).isEqualTo(4);
                assertThat(s.length(1)).isEqualTo(2);
            }
            List<Prompt> ps = prompts(FIXTURE, 2);
            assertThat(run(m, ps, 4, false, (s, t) -> s.decodeSampled(t, vocab + 100, 1.2f, 9L)).drawn())
                    .isDeepEqualTo(run(m, ps, 4, false, (s, t) -> s.decodeSampled(t, vocab, 1.2f, 9L)).drawn());
        }
    }
}
