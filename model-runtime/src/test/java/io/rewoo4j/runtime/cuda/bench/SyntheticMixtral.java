package io.rewoo4j.runtime.cuda.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.cuda.CudaContext;
import io.rewoo4j.runtime.cuda.CudaLinear;
import io.rewoo4j.runtime.cuda.CudaModel;
import io.rewoo4j.runtime.cuda.DeviceBuffer;

/**
 * A Mixtral-8x7B-shaped model generated directly in device memory, for benchmarks: hidden 4096, intermediate 14336,
 * 32 query / 8 key-value heads of 128, vocabulary 32000, 8 experts top-2, every attention and expert projection GPTQ
 * 4-bit with groups of 128 in act-order (random packed bits, scales in [0.001, 0.003), zeros 0…15, one random
 * act-order permutation per input width shared by the layers of that width), router and lm_head dense fp16, norms
 * one. Nothing is built on the host, so a full-size model takes seconds. The weights are meaningless; shapes, bytes
 * and kernels are those of the real checkpoint (TheBloke's {@code gptq-4bit-128g-actorder_True} branch).
 */
public final class SyntheticMixtral implements CudaModel.Weights {
    public static final int BITS = 4;
    public static final int GROUP = 128;

    private final long seed;
    private final Map<Integer, CudaLinear.SlotTables> slots = new HashMap<>();
    private DeviceBuffer ones;
    private long next;

    private SyntheticMixtral(long seed) {
        this.seed = seed;
        this.next = seed;
    }

    /** Mixtral-8x7B's config.json with {@code layers} layers. */
    public static ModelConfig config(int layers) {
        String json = String.format(Locale.ROOT, """
                {"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336,
                 "num_hidden_layers": %d, "num_attention_heads": 32, "num_key_value_heads": 8,
                 "vocab_size": 32000, "rms_norm_eps": 1e-5, "rope_theta": 1000000.0,
                 "max_position_embeddings": 32768, "sliding_window": null, "num_local_experts": 8,
                 "num_experts_per_tok": 2, "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2,
                 "hidden_act": "silu"}""", layers);
        return ModelConfig.parse("synthetic Mixtral-8x7B", json);
    }

    /** Builds the model on {@code ctx} (which it then owns). */
    public static CudaModel build(CudaContext ctx, int layers, int maxRows, long seed) {
        try {
            return CudaModel.create(ctx, config(layers), new SyntheticMixtral(seed), new CudaModel.Options(maxRows));
        } catch (RuntimeException | Error e) {
            ctx.close();
            throw e;
        }
    }

    @Override
    public DeviceBuffer embeddings(CudaContext ctx, ModelConfig config) {
        return CudaLinear.randomHalfs(ctx, (long) config.vocabSize() * config.hiddenSize(), -1f, 1f, next++);
    }

    @Override
    public DeviceBuffer norm(CudaContext ctx, String name, int size) {
        if (ones == null || ones.elementCount() != size) {
            float[] v = new float[size];
            java.util.Arrays.fill(v, 1f);
            ones = ctx.upload(v);
        }
        return ones;
    }

    @Override
    public CudaLinear linear(CudaContext ctx, String prefix, int in, int out) {
        if (prefix.endsWith(".block_sparse_moe.gate")) {
            return CudaLinear.randomDense(ctx, in, out, 0.05f, next++);
        }
        CudaLinear.SlotTables s = slots.computeIfAbsent(in, n -> CudaLinear.SlotTables.randomActOrder(ctx, n, GROUP,
                seed * 31 + n));
        return CudaLinear.randomGptq(ctx, s, out, BITS, 0.001f, 0.003f, 15, next++);
    }

    @Override
    public CudaLinear lmHead(CudaContext ctx, ModelConfig config, DeviceBuffer embeddings) {
        return CudaLinear.randomDense(ctx, config.hiddenSize(), config.vocabSize(), 0.02f, next++);
    }
}
