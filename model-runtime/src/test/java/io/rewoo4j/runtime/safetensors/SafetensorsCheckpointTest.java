package io.rewoo4j.runtime.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCheckpointTest {

    @TempDir
    Path tmp;

    static Path resource(String name) throws Exception {
        return Paths.get(SafetensorsCheckpointTest.class.getResource("/gptq/" + name).toURI());
    }

    private Path copyOfSharded() throws Exception {
        Path src = resource("sharded");
        Path dst = tmp.resolve("sharded");
        Files.createDirectories(dst);
        try (var s = Files.list(src)) {
            for (Path p : s.toList()) {
                Files.copy(p, dst.resolve(p.getFileName()));
            }
        }
        return dst;
    }

    @Test
    void opensShardsThroughTheIndex() throws Exception {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(resource("sharded"))) {
            assertThat(ckpt.files()).hasSize(2);
            assertThat(ckpt.tensorNames()).contains("model.layers.0.self_attn.q_proj.qweight",
                    "model.layers.0.block_sparse_moe.gate.weight", "model.embed_tokens.weight");
            TensorView norm = ckpt.tensor("model.layers.0.input_layernorm.weight");
            assertThat(norm.file().getFileName().toString()).isEqualTo("model-00002-of-00002.safetensors");
            assertThat(norm.getFloat(95)).isEqualTo(95f);
            assertThat(ckpt.tensor("model.norm.weight").getFloat(3)).isEqualTo(1f);
            assertThat(ckpt.tensor("model.embed_tokens.weight").dtype()).isEqualTo(DType.BF16);
            assertThatThrownBy(() -> ckpt.tensor("lm_head.weight")).isInstanceOf(CorruptCheckpointException.class)
                    .hasMessageContaining("lm_head.weight").hasMessageContaining("sharded");
        }
    }

    @Test
    void opensASingleFile() throws Exception {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(resource("layers.safetensors"))) {
            assertThat(ckpt.contains("q4_g32_v1.qweight")).isTrue();
            assertThat(ckpt.files()).hasSize(1);
        }
    }

    @Test
    void indexNamingAnAbsentTensorIsAnError() throws Exception {
        Path dir = copyOfSharded();
        Path index = dir.resolve(SafetensorsCheckpoint.INDEX_FILE);
        Files.writeString(index, Files.readString(index).replace("\"model.norm.weight\"",
                "\"model.ghost.weight\": \"model-00001-of-00002.safetensors\", \"model.norm.weight\""));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("model-00001-of-00002.safetensors")
                .hasMessageContaining("'model.ghost.weight'").hasMessageContaining("absent from the shard");
    }

    @Test
    void indexPointingAtTheWrongShardIsAnError() throws Exception {
        Path dir = copyOfSharded();
        Path index = dir.resolve(SafetensorsCheckpoint.INDEX_FILE);
        Files.writeString(index, Files.readString(index).replace(
                "\"model.norm.weight\": \"model-00001-of-00002.safetensors\"",
                "\"model.norm.weight\": \"model-00002-of-00002.safetensors\""));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("'model.norm.weight'").hasMessageContaining("index says");
    }

    @Test
    void missingShardAndTruncatedShardAreNamed() throws Exception {
        Path dir = copyOfSharded();
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("tensor '")
                .hasMessageContaining("past the end of the file");
        Files.delete(shard);
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors is missing");
    }

    @Test
    void corruptIndexJson() throws IOException {
        Files.writeString(tmp.resolve(SafetensorsCheckpoint.INDEX_FILE), "{\"weight_map\": ");
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(tmp)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(SafetensorsCheckpoint.INDEX_FILE).hasMessageContaining("not valid JSON");
    }
}
