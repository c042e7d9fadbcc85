package io.rewoo4j.runtime.model;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * One pre-norm decoder layer: {@code x += attn(norm₁(x)); x += ffn(norm₂(x))}. Llama/Mistral and Mixtral differ
 * only in the feed-forward half.
 */
final class TransformerBlock {
    private final RmsNorm inputNorm;
    private final Attention attention;
    private final RmsNorm postAttentionNorm;
    private final FeedForward feedForward;
    private final int hidden;

    private TransformerBlock(RmsNorm inputNorm, Attention attention, RmsNorm postAttentionNorm,
            FeedForward feedForward, int hidden) {
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.feedForward = feedForward;
        this.hidden = hidden;
    }

    static TransformerBlock load(SafetensorsCheckpoint ckpt, int layer, ModelConfig c, QuantizationConfig quant,
            KernelThreads threads) {
        String p = "model.layers." + layer;
        RmsNorm in = RmsNorm.load(ckpt, p + ".input_layernorm.weight", c.hiddenSize(), c.rmsNormEps());
        Attention attn = Attention.load(ckpt, p + ".self_attn", c, quant, threads);
        RmsNorm post = RmsNorm.load(ckpt, p + ".post_attention_layernorm.weight", c.hiddenSize(), c.rmsNormEps());
        FeedForward ffn = c.modelType().isMixtureOfExperts()
                ? SparseMixtureOfExperts.load(ckpt, p + ".block_sparse_moe", c, quant, threads)
                : SwiGluMlp.load(ckpt, p + ".mlp.gate_proj", p + ".mlp.up_proj", p + ".mlp.down_proj", quant, threads,
                        c.hiddenSize(), c.intermediateSize());
        return new TransformerBlock(in, attn, post, ffn, c.hiddenSize());
    }

    /** Updates the residual stream {@code x} [rows, hidden] in place. */
    void forward(float[] x, int rows, KvCache cache, int layer) {
        int n = rows * hidden;
        float[] normed = new float[n];
        float[] delta = new float[n];
        inputNorm.apply(x, rows, normed);
        attention.forward(normed, rows, cache, layer, delta);
        for (int i = 0; i < n; i++) {
            x[i] += delta[i];
        }
        postAttentionNorm.apply(x, rows, normed);
        feedForward.forward(normed, rows, delta);
        for (int i = 0; i < n; i++) {
            x[i] += delta[i];
        }
    }
}
