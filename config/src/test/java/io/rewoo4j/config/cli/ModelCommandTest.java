package io.rewoo4j.config.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

class ModelCommandTest {

    private final CliRun cli = new CliRun();

    /** A one-tensor safetensors file: an 8-byte header length, the JSON header, then the data. */
    private static void writeSafetensors(Path file) throws Exception {
        byte[] header = "{\"model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header);
        for (int i = 0; i < 4; i++) {
            out.putFloat(1f);
        }
        Files.write(file, out.array());
    }

    @Test
    void infoDescribesTheCheckpoint(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectory(dir.resolve("TheBloke-Mixtral-8x7B-Instruct-v0.1-GPTQ"));
        Files.writeString(model.resolve("config.json"), """
                {"model_type": "llama", "hidden_size": 4, "intermediate_size": 8, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 16, "rms_norm_eps": 1e-5,
                 "rope_theta": 10000.0, "max_position_embeddings": 64, "bos_token_id": 1, "eos_token_id": 2,
                 "hidden_act": "silu",
                 "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": true, "sym": true}}
                """);
        writeSafetensors(model.resolve("model.safetensors"));

        assertThat(cli.run("model", "info", model.toString())).isZero();

        JsonNode info = cli.json();
        assertThat(info.get("modelType").asString()).isEqualTo("llama");
        assertThat(info.get("layers").asInt()).isEqualTo(1);
        assertThat(info.get("quantization").get("bits").asInt()).isEqualTo(4);
        assertThat(info.get("quantization").get("actOrder").asBoolean()).isTrue();
        assertThat(info.get("tensors").asInt()).isEqualTo(1);
        assertThat(info.get("weightBytes").asLong()).isEqualTo(16);
        assertThat(info.get("promptFormat").asString()).isEqualTo("mistral");
        JsonNode placement = info.get("placement");
        assertThat(placement.get("contextLength").asInt()).isEqualTo(64); // 4096 capped at max_position_embeddings
        assertThat(placement.get("neededBytes").asLong()).isPositive();
        var cuda = io.rewoo4j.runtime.cuda.CudaLibrary.availability();
        if (!cuda.available()) {
            assertThat(placement.get("backend").asString()).isEqualTo("cpu");
            assertThat(placement.get("note").asString()).isEqualTo(cuda.reason());
        }

        CliRun second = new CliRun();
        assertThat(second.run("model", "info", model.toString(), "--backend", "cpu", "--context", "32")).isZero();
        JsonNode onCpu = second.json().get("placement");
        assertThat(onCpu.get("backend").asString()).isEqualTo("cpu");
        assertThat(onCpu.get("contextLength").asInt()).isEqualTo(32);
        assertThat(onCpu.get("device").asString()).endsWith("CPU cores");
        assertThat(onCpu.has("note") && !onCpu.get("note").isNull()).isFalse();
    }

    @Test
    void aFolderWithoutACheckpointIsBadInputWithTheReason(@TempDir Path dir) throws Exception {
        assertThat(cli.run("model", "info", dir.toString())).isEqualTo(2);
        assertThat(cli.json().get("error").get("message").asString()).contains("config.json");
        assertThat(cli.run("model", "info", dir.resolve("missing").toString())).isEqualTo(2);
    }

    @Test
    void tokenizePrintsTheIdsWithBosAsTheTokenizerConfigSays() {
        Path mistral = Path.of("..", "model-runtime", "src", "test", "resources", "tokenizer", "mistral-v1");
        assertThat(cli.run("model", "tokenize", mistral.toString(), "Hello world")).isZero();
        assertThat(cli.out.toString().strip()).isEqualTo("[1,22557,1526]");
    }

    @Test
    void tokenizeWithoutATokenizerIsBadInput(@TempDir Path dir) {
        assertThat(cli.run("model", "tokenize", dir.toString(), "Hello")).isEqualTo(2);
        assertThat(cli.json().get("error").get("message").asString()).contains("cannot tokenize");
    }

    private static final Path MODELS = Path.of("..", "model-runtime", "src", "test", "resources", "models");
    private static final Path MISTRAL_TOKENIZER = Path.of("..", "model-runtime", "src", "test", "resources", "tokenizer", "mistral-v1");

    /** A fixture's recorded transformers output: prompt tokens, logits per position, greedy continuation. */
    private static io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint expected(String name) {
        return io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint.open(MODELS.resolve("expected").resolve(name + ".safetensors"));
    }

    @Test
    void logitsMatchTransformersForAQuantisedMixtral() {
        try (var expected = expected("mixtral-q4-g32-act-v1")) {
            int[] tokens = expected.tensor("p0.tokens").toIntArray();
            float[] want = expected.tensor("p0.logits").toFloatArray();
            String ids = java.util.Arrays.stream(tokens).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(","));

            assertThat(cli.run("model", "logits", MODELS.resolve("mixtral-q4-g32-act-v1").toString(), "--tokens", ids))
                    .isZero();

            JsonNode logits = cli.json().get("logits");
            assertThat(logits).hasSize(tokens.length);
            double diff = 0;
            double norm = 0;
            for (int p = 0; p < tokens.length; p++) {
                assertThat(logits.get(p)).hasSize(256);
                for (int v = 0; v < 256; v++) {
                    double d = logits.get(p).get(v).asDouble() - want[p * 256 + v];
                    diff += d * d;
                    norm += (double) want[p * 256 + v] * want[p * 256 + v];
                }
            }
            assertThat(Math.sqrt(diff / norm)).isLessThan(1e-4);
        }
    }

    @Test
    void generatePrintsTheGreedyContinuation() {
        try (var expected = expected("llama-f16")) {
            int[] tokens = expected.tensor("p0.tokens").toIntArray();
            int[] greedy = expected.tensor("p0.greedy").toIntArray();
            String ids = java.util.Arrays.stream(tokens).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(","));
            // The tiny model's 256 ids are the Mistral tokenizer's control and byte pieces: its text is those bytes.
            String want;
            try {
                want = io.rewoo4j.runtime.tokenizer.Tokenizer.load(MISTRAL_TOKENIZER).decode(greedy);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }

            assertThat(cli.run("model", "generate", MODELS.resolve("llama-f16").toString(), "--tokenizer",
                    MISTRAL_TOKENIZER.toString(), "--prompt-tokens", ids, "--max-tokens", "32", "--backend", "cuda")).isZero();

            assertThat(cli.out.toString()).isEqualTo(want + "\n");
            var cuda = io.rewoo4j.runtime.cuda.CudaLibrary.availability();
            if (cuda.available()) {
                assertThat(cli.err.toString()).doesNotContain("running on the CPU");
            } else {
                // without a usable device the request falls back, saying why in one line
                assertThat(cli.err.toString()).contains("the CUDA backend is not available (" + cuda.reason()
                        + "); running on the CPU");
            }
        }
    }

    @Test
    void generateNeedsExactlyOnePrompt() {
        assertThat(cli.run("model", "generate", MODELS.resolve("llama-f16").toString())).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--prompt TEXT or --prompt-tokens IDS");
    }
}
