package io.rewoo4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import io.rewoo4j.runtime.gptq.KernelThreads;

/**
 * The whole forward pass against transformers' fp32 logits for every fixture: relative L2 ≤ 1e-4 at every
 * position, and 32 greedy tokens identical. Quantised fixtures hold GPTQ-packed projections; transformers ran on
 * their dequantised values, so this also checks that the packed weights decode to exactly what was packed.
 */
class TransformersParityTest {
    static final double TOLERANCE = 1e-4;
    static final java.util.List<String> FIXTURES = ModelFixtures.NAMES;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void logitsMatchTransformersAtEveryPosition(String name) {
        try (LoadedModel model = LoadedModel.load(ModelFixtures.model(name), KernelThreads.withThreads(2))) {
            int vocab = model.config().vocabSize();
            double worst = 0;
            for (ModelFixtures.Prompt p : ModelFixtures.prompts(name)) {
                float[][] logits = model.newSession().logitsPerPosition(p.tokens());
                for (int t = 0; t < logits.length; t++) {
                    worst = Math.max(worst, ModelFixtures.relativeL2(logits[t], p.logits(), t * vocab));
                }
            }
            System.out.printf("%s: worst relative L2 %.3g%n", name, worst);
            assertThat(worst).as("worst relative L2 of %s", name).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void greedyContinuationMatchesTransformers(String name) {
        try (LoadedModel model = LoadedModel.load(ModelFixtures.model(name))) {
            for (ModelFixtures.Prompt p : ModelFixtures.prompts(name)) {
                Session s = model.newSession();
                float[] logits = s.logits(p.tokens());
                int[] got = new int[p.greedy().length];
                for (int i = 0; i < got.length; i++) {
                    got[i] = ModelFixtures.argmax(logits);
                    logits = s.next(got[i]);
                }
                assertThat(got).as("greedy continuation of %s", name).containsExactly(p.greedy());
            }
        }
    }
}
