package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/** Device memory estimates: Mixtral-8x7B GPTQ 4-bit g128 worked out by hand, and a fixture counted exactly. */
class CudaMemoryEstimateTest {

    @Test
    void mixtral8x7bGptq4BitG128() {
        Path dir = CudaGptqLayoutTest.resource("/gptq/configs/mixtral-8x7b-instruct-gptq.json");
        ModelConfig c = ModelConfig.load(dir);
        Optional<QuantizationConfig> q = QuantizationConfig.fromModelConfigJson("mixtral",
                readString(dir));
        assertThat(q).isPresent();
        CudaMemoryEstimate e = CudaMemoryEstimate.of(c, q, 32768, 1);

        // one 4096 -> 4096 projection: 32 groups of 128 = 128 blocks; qweight 128 x 4096 x 4 words, scale_zero
        // 32 x 4096 half2, block_group 128 ints, slot_input 128 x 32 ints
        long q4096 = 128L * 4096 * 16 + 32L * 4096 * 4 + 128 * 4 + 128 * 32 * 4;
        assertThat(q4096).isEqualTo(8_929_792L);
        long kv4096 = 128L * 1024 * 16 + 32L * 1024 * 4 + 128 * 4 + 128 * 32 * 4; // k_proj, v_proj
        long w1 = 128L * 14336 * 16 + 32L * 14336 * 4 + 128 * 4 + 128 * 32 * 4; // w1, w3: 4096 -> 14336
        long w2 = 448L * 4096 * 16 + 112L * 4096 * 4 + 448 * 4 + 448 * 32 * 4; // w2: 14336 -> 4096, 112 groups
        long perLayer = 2 * q4096 + 2 * kv4096 + 8 * (2 * w1 + w2)
                + 8L * 4096 * 2 // router fp16
                + 2L * 4096 * 4 // two norms
                + (4 + 3 * 8 + 1) * 96L; // DeviceMatrix records: q|k|v, o, gate|up, down, router
        long weights = 32 * perLayer
                + 2L * 32000 * 4096 * 2 // embeddings and lm_head, fp16
                + 96 + 4096 * 4 // lm_head record, final norm
                + 2L * 32768 * 64 * 4; // rotary cos/sin
        assertThat(e.weightBytes()).isEqualTo(weights).isEqualTo(25_241_164_896L);
        assertThat(e.weightBytes() / 1e9).isBetween(24.0, 26.0); // about 23.5 GiB
        // KV: 32 layers x 32768 positions x 8 heads x 128 x fp16 x (k, v) = 4 GiB
        assertThat(e.kvCacheBytes()).isEqualTo(4L << 30);
        assertThat(CudaMemoryEstimate.of(c, q, 4096, 16).kvCacheBytes()).isEqualTo(8L << 30);
        // workspace of 512 rows: h alone is 512 x 2 x 2 x 14336 fp32 = 117 MB
        assertThat(e.workspaceBytes()).isBetween(117_000_000L, 300_000_000L);
        assertThat(e.total()).isEqualTo(e.weightBytes() + e.kvCacheBytes() + e.workspaceBytes());
        assertThat(e.fitsIn(80L << 30)).isTrue();
        assertThat(e.fitsIn(24L << 30)).isFalse();
        assertThat(e.describe()).startsWith("25.24 GB weights + 4.29 GB KV cache");

        // unquantised, everything dense fp16: about 93 GB
        CudaMemoryEstimate fp16 = CudaMemoryEstimate.of(c, Optional.empty(), 32768, 1);
        assertThat(fp16.weightBytes() / 1e9).isBetween(93.0, 94.0);
    }

    @Test
    void aTinyFixtureExactly() {
        Path dir = CudaGptqLayoutTest.resource("/models/mixtral-q4-g32-act-v1");
        ModelConfig c = ModelConfig.load(dir);
        Optional<QuantizationConfig> q = QuantizationConfig.load(dir);
        CudaMemoryEstimate e = CudaMemoryEstimate.of(c, q, 256, 1);
        // hidden 64, intermediate 64, 2 layers, 4 heads of 16, 2 kv heads, vocab 256, 4 experts top-2, 4-bit g32:
        // a 64 -> out projection is 2 blocks, 2 groups: 2*out*16 + 2*out*4 + 2*4 + 64*4 = 40*out + 264
        long attention = (40 * 64 + 264) * 2 + (40 * 32 + 264) * 2; // 8736
        long experts = 4 * 3 * (40 * 64 + 264); // 33888
        long perLayer = attention + experts + 2 * 4 * 64 + 2 * 64 * 4 + 17 * 96;
        long weights = 2 * perLayer + 2 * 2 * 256 * 64 + 96 + 64 * 4 + 2 * 4 * 256 * 8;
        assertThat(e.weightBytes()).isEqualTo(weights).isEqualTo(172_832L);
        assertThat(e.kvCacheBytes()).isEqualTo(2L * 2 * 2 * 256 * 32);
        // 512 rows: x, normed (2*64), qkv (128), attention (64), h (2 * 2 * 64), logits (256), router (4), top-k
        // weights (2) as floats; tokens, seq, pos (3), top-k ids and sorted assignments (2 * 2), offsets (5)
        long floats = 512L * (2 * 64 + 128 + 64 + 2 * 2 * 64 + 256 + 4 + 2);
        long ints = 512L * (3 + 2 * 2) + 5;
        assertThat(e.workspaceBytes()).isEqualTo(4 * (floats + ints)).isEqualTo(1_730_580L);

        // the same count from the checkpoint itself: every GPTQ layer repacked, dense tensors at fp16, norms fp32
        long counted = 0;
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            for (String name : ckpt.tensorNames()) {
                TensorView t = ckpt.tensor(name);
                if (name.endsWith(".qweight")) {
                    counted += CudaGptqLayout.fromCheckpoint(ckpt, name.substring(0, name.length() - 8), q.get(),
                            KernelThreads.serial()).deviceBytes();
                } else if (name.endsWith(".weight") && t.rank() == 2) {
                    counted += 2 * t.elementCount();
                } else if (name.endsWith(".weight")) {
                    counted += 4 * t.elementCount();
                }
            }
        }
        counted += (2 * 17 + 1) * 96 + 2 * 4 * 256 * 8; // records and rotary tables
        assertThat(counted).isEqualTo(e.weightBytes());
    }

    @Test
    void batchAndRowsScaleTheKvCacheAndTheWorkspace() {
        ModelConfig c = ModelConfig.load(CudaGptqLayoutTest.resource("/models/llama-f16"));
        CudaMemoryEstimate one = CudaMemoryEstimate.of(c, Optional.empty(), 256, 1, 8);
        CudaMemoryEstimate four = CudaMemoryEstimate.of(c, Optional.empty(), 256, 4, 8);
        assertThat(four.kvCacheBytes()).isEqualTo(4 * one.kvCacheBytes());
        assertThat(four.workspaceBytes()).isEqualTo(one.workspaceBytes());
        CudaMemoryEstimate wide = CudaMemoryEstimate.of(c, Optional.empty(), 256, 16, 8);
        assertThat(wide.workspaceBytes()).isEqualTo(2 * one.workspaceBytes()); // 16 rows instead of 8
        assertThat(one.weightBytes()).isEqualTo(CudaMemoryEstimate.weightBytes(c, Optional.empty()));
    }

    private static String readString(Path p) {
        try {
            return java.nio.file.Files.readString(p);
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
