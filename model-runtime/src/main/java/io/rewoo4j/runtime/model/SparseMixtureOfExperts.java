package io.rewoo4j.runtime.model;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.gptq.Linear;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * Mixtral's {@code block_sparse_moe}, routed as transformers does: router logits {@code gate(x)}, a softmax over
 * all experts in fp32, the top-k probabilities, renormalised to sum to one; the output is
 * {@code Σ weight_e · expert_e(x)} over the chosen experts. Rows are grouped by expert so that each expert's weights
 * are decoded once per forward, and experts are summed in index order (as transformers' {@code index_add_}).
 */
final class SparseMixtureOfExperts implements FeedForward {
    private final Linear router;
    private final SwiGluMlp[] experts;
    private final int topK;
    private final int hidden;

    private SparseMixtureOfExperts(Linear router, SwiGluMlp[] experts, int topK, int hidden) {
        this.router = router;
        this.experts = experts;
        this.topK = topK;
        this.hidden = hidden;
    }

    static SparseMixtureOfExperts load(SafetensorsCheckpoint ckpt, String prefix, ModelConfig c,
            QuantizationConfig quant, KernelThreads threads) {
        int n = c.numLocalExperts();
        Linear router = Shapes.linear(ckpt, prefix + ".gate", null, threads, c.hiddenSize(), n);
        SwiGluMlp[] experts = new SwiGluMlp[n];
        for (int e = 0; e < n; e++) {
            String p = prefix + ".experts." + e;
            experts[e] = SwiGluMlp.load(ckpt, p + ".w1", p + ".w3", p + ".w2", quant, threads, c.hiddenSize(),
                    c.intermediateSize());
        }
        return new SparseMixtureOfExperts(router, experts, c.numExpertsPerToken(), c.hiddenSize());
    }

    /** The chosen experts and their renormalised weights for one row of router logits. */
    static void route(float[] logits, int offset, int n, int topK, int[] chosen, float[] weights) {
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < n; e++) {
            max = Math.max(max, logits[offset + e]);
        }
        float[] p = new float[n];
        float sum = 0f;
        for (int e = 0; e < n; e++) {
            p[e] = (float) Math.exp(logits[offset + e] - max);
            sum += p[e];
        }
        for (int e = 0; e < n; e++) {
            p[e] /= sum;
        }
        boolean[] taken = new boolean[n];
        float chosenSum = 0f;
        for (int j = 0; j < topK; j++) {
            int best = -1;
            for (int e = 0; e < n; e++) {
                if (!taken[e] && (best < 0 || p[e] > p[best])) {
                    best = e;
                }
            }
            taken[best] = true;
            chosen[j] = best;
            weights[j] = p[best];
            chosenSum += p[best];
        }
        for (int j = 0; j < topK; j++) {
            weights[j] /= chosenSum;
        }
    }

    @Override
    public void forward(float[] x, int rows, float[] out) {
        int n = experts.length;
        float[] logits = new float[rows * n];
        router.matmul(x, rows, logits);
        // per expert: which rows chose it, and with what weight
        int[][] rowsOf = new int[n][rows];
        float[][] weightOf = new float[n][rows];
        int[] count = new int[n];
        int[] chosen = new int[topK];
        float[] weights = new float[topK];
        for (int r = 0; r < rows; r++) {
            route(logits, r * n, n, topK, chosen, weights);
            for (int j = 0; j < topK; j++) {
                int e = chosen[j];
                rowsOf[e][count[e]] = r;
                weightOf[e][count[e]] = weights[j];
                count[e]++;
            }
        }
        java.util.Arrays.fill(out, 0, rows * hidden, 0f);
        for (int e = 0; e < n; e++) {
            int m = count[e];
            if (m == 0) {
                continue;
            }
            float[] in = new float[m * hidden];
            for (int i = 0; i < m; i++) {
                System.arraycopy(x, rowsOf[e][i] * hidden, in, i * hidden, hidden);
            }
            float[] y = new float[m * hidden];
            experts[e].forward(in, m, y);
            for (int i = 0; i < m; i++) {
                int o = rowsOf[e][i] * hidden;
                float w = weightOf[e][i];
                for (int d = 0; d < hidden; d++) {
                    out[o + d] += y[i * hidden + d] * w;
                }
            }
        }
    }
}
