package io.rewoo4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.rewoo4j.runtime.config.InvalidConfigException;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/** What a user sees for a broken or unsupported model folder. */
class LoadErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aMissingTensorIsNamed() throws IOException {
        copyWithout("mixtral-q4-g32-act-v1", "model.layers.1.block_sparse_moe.experts.3.w2.qweight");
        assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("model.layers.1.block_sparse_moe.experts.3.w2");
    }

    @Test
    void aMissingNormIsNamed() throws IOException {
        copyWithout("llama-f16", "model.layers.0.post_attention_layernorm.weight");
        assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("model.layers.0.post_attention_layernorm.weight");
    }

    @Test
    void untiedModelWithoutLmHeadIsReported() throws IOException {
        copyWithout("llama-f16", "lm_head.weight");
        assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("lm_head");
    }

    @Test
    void ropeScalingIsUnsupported() throws IOException {
        copyWithConfig("llama-f16", "\"rope_theta\"", "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0},\n "
                + "\"rope_theta\"");
        assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("rope_scaling");
    }

    @Test
    void anUnknownArchitectureIsUnsupported() throws IOException {
        copyWithConfig("llama-f16", "\"model_type\": \"llama\"", "\"model_type\": \"gemma\"");
        assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("gemma");
    }

    @Test
    void aConfigThatDisagreesWithTheWeightsNamesTheProjection() throws IOException {
        copyWithConfig("llama-f16", "\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4");
        assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("model.layers.0.self_attn.k_proj").hasMessageContaining("64 → 64");
    }

    private void copyWithConfig(String fixture, String from, String to) throws IOException {
        Path src = ModelFixtures.model(fixture);
        String config = Files.readString(src.resolve("config.json"));
        if (!config.contains(from)) {
            throw new IllegalStateException("fixture config lacks " + from);
        }
        Files.writeString(dir.resolve("config.json"), config.replace(from, to));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    }

    /** Copies a fixture, writing its safetensors file again without {@code dropped}. */
    private void copyWithout(String fixture, String dropped) throws IOException {
        Path src = ModelFixtures.model(fixture);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(src)) {
            var names = ckpt.tensorNames().stream().filter(n -> !n.equals(dropped)).sorted().toList();
            if (names.size() == ckpt.tensorNames().size()) {
                throw new IllegalStateException("fixture has no " + dropped);
            }
            StringBuilder header = new StringBuilder("{");
            long offset = 0;
            for (String n : names) {
                TensorView t = ckpt.tensor(n);
                long size = t.bytes().remaining();
                header.append(header.length() > 1 ? "," : "").append('"').append(n).append("\":{\"dtype\":\"")
                        .append(t.dtype().name()).append("\",\"shape\":")
                        .append(Arrays.stream(t.shape()).mapToObj(Long::toString)
                                .collect(Collectors.joining(",", "[", "]")))
                        .append(",\"data_offsets\":[").append(offset).append(',').append(offset + size).append("]}");
                offset += size;
            }
            header.append('}');
            while (header.length() % 8 != 0) {
                header.append(' ');
            }
            byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
            try (FileChannel out = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).flip();
                out.write(len);
                out.write(ByteBuffer.wrap(h));
                for (String n : names) {
                    out.write(ckpt.tensor(n).bytes().duplicate());
                }
            }
        }
    }
}
