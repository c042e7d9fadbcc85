package io.rewoo4j.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;

class ModelConfigTest {

    static Path config(String name) throws Exception {
        return Paths.get(ModelConfigTest.class.getResource("/gptq/configs/" + name).toURI());
    }

    @Test
    void mixtral() throws Exception {
        ModelConfig c = ModelConfig.load(config("mixtral-8x7b-instruct-gptq.json"));
        assertThat(c.modelType()).isEqualTo(ModelType.MIXTRAL);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(14336);
        assertThat(c.numLayers()).isEqualTo(32);
        assertThat(c.numHeads()).isEqualTo(32);
        assertThat(c.numKeyValueHeads()).isEqualTo(8);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.kvDim()).isEqualTo(1024);
        assertThat(c.vocabSize()).isEqualTo(32000);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5f);
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(32768);
        assertThat(c.slidingWindow()).isEmpty();
        assertThat(c.numLocalExperts()).isEqualTo(8);
        assertThat(c.numExpertsPerToken()).isEqualTo(2);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
    }

    @Test
    void llamaCodeLlama34bShape() throws Exception {
        ModelConfig c = ModelConfig.load(config("airoboros-c34b-llama.json"));
        assertThat(c.modelType()).isEqualTo(ModelType.LLAMA);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.queriesPerKeyValueHead()).isEqualTo(8);
        assertThat(c.numLocalExperts()).isZero();
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(16384);
    }

    @Test
    void mistralWithSlidingWindowAndEosList() throws Exception {
        ModelConfig c = ModelConfig.load(config("mistral-7b.json"));
        assertThat(c.modelType()).isEqualTo(ModelType.MISTRAL);
        assertThat(c.slidingWindow()).hasValue(4096);
        assertThat(c.eosTokenIds()).containsExactly(2, 32000);
    }

    private static String minimal(String type, String extra) {
        return "{\"model_type\":\"" + type + "\",\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100" + extra + "}";
    }

    @Test
    void defaults() {
        ModelConfig c = ModelConfig.parse("mini", minimal("llama", ""));
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.bosTokenId()).isEqualTo(-1);
        assertThat(c.eosTokenIds()).isEmpty();
        assertThat(ModelConfig.parse("mini", minimal("llama", ",\"head_dim\":32")).headDim()).isEqualTo(32);
    }

    @Test
    void clearErrors() {
        assertThatThrownBy(() -> ModelConfig.parse("x.json", minimal("gpt2", "")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("x.json")
                .hasMessageContaining("unsupported model_type 'gpt2'");
        assertThatThrownBy(() -> ModelConfig.parse("x.json", "{\"model_type\":\"llama\"}"))
                .hasMessageContaining("missing required field 'hidden_size'");
        assertThatThrownBy(() -> ModelConfig.parse("x.json", minimal("mixtral", "")))
                .hasMessageContaining("num_local_experts");
        assertThatThrownBy(() -> ModelConfig.parse("x.json", minimal("llama", ",\"num_key_value_heads\":3")))
                .hasMessageContaining("num_key_value_heads 3");
        assertThatThrownBy(() -> ModelConfig.parse("x.json", minimal("llama", ",\"rope_scaling\":{\"type\":\"linear\"}")))
                .hasMessageContaining("rope_scaling");
        assertThatThrownBy(() -> ModelConfig.parse("x.json", minimal("llama", ",\"hidden_size\":\"big\"")))
                .isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> ModelConfig.parse("x.json", "{nope"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("not valid JSON");
    }
}
