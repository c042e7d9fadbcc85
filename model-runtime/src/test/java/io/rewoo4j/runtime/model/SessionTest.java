package io.rewoo4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.rewoo4j.runtime.gptq.KernelThreads;

/**
 * The KV cache: any split of a sequence into prefill and decode steps gives the logits of one whole prefill. Not
 * bit-identical: the GPTQ kernels may sum in another order for one row than for many, so within 1e-5 (an order
 * below the transformers tolerance).
 */
class SessionTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-f16", "mixtral-f16-window8", "mixtral-q4-g32-act-v1", "llama-q3-g128-v1"})
    void prefillThenDecodeEqualsWholePrefill(String name) {
        try (LoadedModel model = LoadedModel.load(ModelFixtures.model(name), KernelThreads.withThreads(2))) {
            int[] tokens = ModelFixtures.prompts(name).get(2).tokens(); // 20 tokens: past the sliding window of 8
            float[][] whole = model.newSession().logitsPerPosition(tokens);

            Session s = model.newSession();
            int split = 7;
            float[][] prefix = s.logitsPerPosition(Arrays.copyOf(tokens, split));
            for (int t = 0; t < split; t++) {
                assertThat(ModelFixtures.relativeL2(prefix[t], whole[t], 0)).isLessThanOrEqualTo(1e-5);
            }
            for (int t = split; t < tokens.length; t++) {
                float[] step = s.next(tokens[t]);
                assertThat(ModelFixtures.relativeL2(step, whole[t], 0)).as("position %d", t)
                        .isLessThanOrEqualTo(1e-5);
            }
            assertThat(s.length()).isEqualTo(tokens.length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-bf16-tied"})
    void resetForgetsTheContextAndLogitsReturnsTheLastPosition(String name) {
        try (LoadedModel model = LoadedModel.load(ModelFixtures.model(name))) {
            int[] tokens = ModelFixtures.prompts(name).get(1).tokens();
            Session s = model.newSession();
            float[] first = s.logits(tokens);
            s.reset();
            assertThat(s.length()).isZero();
            float[][] again = s.logitsPerPosition(tokens);
            assertThat(again[tokens.length - 1]).containsExactly(first);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-f16"})
    void aFullContextIsReportedNotOverwritten(String name) {
        try (LoadedModel model = LoadedModel.load(ModelFixtures.model(name))) {
            Session s = model.newSession(4);
            s.logits(new int[] {1, 2, 3});
            s.next(4);
            assertThatThrownBy(() -> s.next(5)).isInstanceOf(ContextFullException.class)
                    .hasMessageContaining("4 positions cached");
            assertThat(s.length()).isEqualTo(4);
            assertThatThrownBy(() -> s.next(256)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside the vocabulary");
        }
    }
}
