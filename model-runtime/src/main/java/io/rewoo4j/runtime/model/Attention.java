package io.rewoo4j.runtime.model;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.gptq.Linear;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * Grouped-query causal self-attention with RoPE, reading and extending one layer of a {@link KvCache}. Query
 * head {@code h} attends with key/value head {@code h / (numHeads / numKeyValueHeads)}, as transformers'
 * {@code repeat_kv} arranges. With a sliding window {@code W}, position {@code q} sees keys {@code k} with
 * {@code q - W < k ≤ q} (transformers' {@code sliding_window_overlay}); the cache keeps every position and the
 * window is applied as a mask, which is the reference behaviour (a rolling buffer would give the same result).
 */
final class Attention {
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;
    private final RotaryEmbedding rope;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int window;
    private final KernelThreads threads;

    private Attention(Linear q, Linear k, Linear v, Linear o, ModelConfig c, KernelThreads threads) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.heads = c.numHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.rope = new RotaryEmbedding(c.headDim(), c.ropeTheta());
        this.window = c.slidingWindow().orElse(Integer.MAX_VALUE);
        this.threads = threads;
    }

    static Attention load(SafetensorsCheckpoint ckpt, String prefix, ModelConfig c, QuantizationConfig quant,
            KernelThreads threads) {
        int qDim = c.numHeads() * c.headDim();
        Linear q = Shapes.linear(ckpt, prefix + ".q_proj", quant, threads, c.hiddenSize(), qDim);
        Linear k = Shapes.linear(ckpt, prefix + ".k_proj", quant, threads, c.hiddenSize(), c.kvDim());
        Linear v = Shapes.linear(ckpt, prefix + ".v_proj", quant, threads, c.hiddenSize(), c.kvDim());
        Linear o = Shapes.linear(ckpt, prefix + ".o_proj", quant, threads, qDim, c.hiddenSize());
        return new Attention(q, k, v, o, c, threads);
    }

    /**
     * Attends {@code rows} new positions (normalised input {@code x} [rows, hidden]) that start at the cache's
     * current length, writes their keys/values into the cache of {@code layer} and the projected output into
     * {@code out} [rows, hidden]. The caller advances the cache after the last layer.
     */
    void forward(float[] x, int rows, KvCache cache, int layer, float[] out) {
        int start = cache.length();
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        float[] qs = new float[rows * qDim];
        float[] ks = new float[rows * kvDim];
        float[] vs = new float[rows * kvDim];
        q.matmul(x, rows, qs);
        k.matmul(x, rows, ks);
        v.matmul(x, rows, vs);
        for (int r = 0; r < rows; r++) {
            rope.apply(qs, r * qDim, heads, start + r);
            rope.apply(ks, r * kvDim, kvHeads, start + r);
        }
        float[] keys = cache.keys(layer);
        float[] values = cache.values(layer);
        System.arraycopy(ks, 0, keys, start * kvDim, rows * kvDim);
        System.arraycopy(vs, 0, values, start * kvDim, rows * kvDim);

        float[] attended = new float[rows * qDim];
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        threads.forEachTile(heads, h -> {
            int kvOff = (h / group) * headDim;
            float[] scores = new float[start + rows];
            for (int r = 0; r < rows; r++) {
                int pos = start + r;
                int first = Math.max(0, pos - window + 1);
                int qOff = r * qDim + h * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int t = first; t <= pos; t++) {
                    int kOff = t * kvDim + kvOff;
                    float dot = 0f;
                    for (int i = 0; i < headDim; i++) {
                        dot += qs[qOff + i] * keys[kOff + i];
                    }
                    float s = dot * scale;
                    scores[t] = s;
                    max = Math.max(max, s);
                }
                float sum = 0f;
                for (int t = first; t <= pos; t++) {
                    float e = (float) Math.exp(scores[t] - max);
                    scores[t] = e;
                    sum += e;
                }
                int outOff = r * qDim + h * headDim;
                for (int t = first; t <= pos; t++) {
                    float p = scores[t] / sum;
                    int vOff = t * kvDim + kvOff;
                    for (int i = 0; i < headDim; i++) {
                        attended[outOff + i] += p * values[vOff + i];
                    }
                }
            }
        });
        o.matmul(attended, rows, out);
    }
}
