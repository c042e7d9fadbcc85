package io.rewoo4j.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizationConfigTest {

    @TempDir
    Path dir;

    @Test
    void fromConfigJsonQuantizationConfig() throws Exception {
        Files.copy(ModelConfigTest.config("mixtral-8x7b-instruct-gptq.json"), dir.resolve("config.json"));
        QuantizationConfig q = QuantizationConfig.load(dir).orElseThrow();
        assertThat(q).isEqualTo(new QuantizationConfig(4, 128, true, true, CheckpointFormat.GPTQ_V1));
    }

    @Test
    void fromQuantizeConfigJson() throws Exception {
        Files.copy(ModelConfigTest.config("airoboros-c34b-llama.json"), dir.resolve("config.json"));
        Files.copy(ModelConfigTest.config("airoboros-c34b-quantize_config.json"),
                dir.resolve("quantize_config.json"));
        QuantizationConfig q = QuantizationConfig.load(dir).orElseThrow();
        assertThat(q).isEqualTo(new QuantizationConfig(4, -1, true, true, CheckpointFormat.GPTQ_V1));
    }

    @Test
    void unquantisedModelHasNone() throws Exception {
        Files.copy(ModelConfigTest.config("mistral-7b.json"), dir.resolve("config.json"));
        assertThat(QuantizationConfig.load(dir)).isEmpty();
    }

    @Test
    void bothSourcesMustAgree() throws Exception {
        Files.copy(ModelConfigTest.config("mixtral-8x7b-instruct-gptq.json"), dir.resolve("config.json"));
        Files.copy(ModelConfigTest.config("airoboros-c34b-quantize_config.json"),
                dir.resolve("quantize_config.json"));
        assertThatThrownBy(() -> QuantizationConfig.load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("disagrees");
    }

    @Test
    void v2FormatAndAsymmetric() {
        QuantizationConfig q = QuantizationConfig.parse("q", "{\"bits\":3,\"group_size\":64,\"sym\":false,"
                + "\"checkpoint_format\":\"gptq_v2\"}");
        assertThat(q).isEqualTo(new QuantizationConfig(3, 64, false, false, CheckpointFormat.GPTQ_V2));
        assertThat(q.format().zeroOffset()).isZero();
        assertThat(QuantizationConfig.parse("q", "{\"bits\":2,\"format\":\"gptq_v2\"}").format())
                .isEqualTo(CheckpointFormat.GPTQ_V2);
        assertThat(QuantizationConfig.fromModelConfigJson("c", "{\"quantization_config\":{\"bits\":8,"
                + "\"group_size\":128,\"quant_method\":\"gptq\"}}")).hasValue(
                new QuantizationConfig(8, 128, false, true, CheckpointFormat.GPTQ_V1));
    }

    @Test
    void unsupportedValuesAreClearErrors() {
        assertThatThrownBy(() -> QuantizationConfig.parse("quantize_config.json", "{\"bits\":5,\"group_size\":128}"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("quantize_config.json")
                .hasMessageContaining("bits 5 is not supported");
        assertThatThrownBy(() -> QuantizationConfig.parse("q", "{\"bits\":4,\"group_size\":0}"))
                .hasMessageContaining("group_size 0");
        assertThatThrownBy(() -> QuantizationConfig.parse("q", "{\"bits\":4,\"checkpoint_format\":\"marlin\"}"))
                .hasMessageContaining("checkpoint_format 'marlin'");
        assertThatThrownBy(() -> QuantizationConfig.parse("q", "{\"bits\":4,\"quant_method\":\"awq\"}"))
                .hasMessageContaining("quant_method 'awq'");
        assertThatThrownBy(() -> QuantizationConfig.parse("q", "{\"group_size\":128}"))
                .hasMessageContaining("missing required field 'bits'");
        assertThatThrownBy(() -> QuantizationConfig.parse("q", "{\"bits\":4,\"desc_act\":\"yes\"}"))
                .hasMessageContaining("desc_act");
    }
}
