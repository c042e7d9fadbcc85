package io.rewoo4j.runtime.cuda;

import java.util.Locale;
import java.util.Optional;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;

/**
 * Device memory a model needs on the CUDA backend, from its config alone (before anything is read or allocated), so
 * that backend selection can tell whether it fits.
 *
 * <p>Weights are counted in the device layout: with a quantisation config, every attention projection and every
 * MLP / expert projection in the GPTQ layout of {@link CudaGptqLayout} (groups assumed equal, each padded to whole
 * blocks of 32, see {@link CudaGptqLayout#deviceBytes(int, int, int, int)}), the router, embeddings and
 * {@code lm_head} dense fp16 ({@code lm_head} shares the embeddings when they are tied), norms fp32, the rotary
 * tables for {@code max_position_embeddings} and the DeviceMatrix records. The KV cache is fp16
 * [layers][batch][positions][kv_heads·head_dim] for keys and values. The workspace holds the activations of
 * {@code max(rows, batch)} rows (see {@link #workspaceBytes(ModelConfig, int)}).
 *
 * @param weightBytes    weights, tables and records
 * @param kvCacheBytes   keys and values of {@code maxBatch} sequences of {@code maxPositions}
 * @param workspaceBytes activations for the largest forward pass
 */
public record CudaMemoryEstimate(long weightBytes, long kvCacheBytes, long workspaceBytes) {
    /** Rows of one forward pass (prefill longer than this runs in chunks). */
    public static final int DEFAULT_MAX_ROWS = 512;
    /** Kept free beyond the estimate when deciding whether a model fits (allocator slack, kernel scratch). */
    public static final long HEADROOM_BYTES = 512L << 20;

    /** The estimate for sessions of {@code maxPositions} and decode batches of up to {@code maxBatch} sequences. */
    public static CudaMemoryEstimate of(ModelConfig config, Optional<QuantizationConfig> quantization,
            int maxPositions, int maxBatch) {
        return of(config, quantization, maxPositions, maxBatch, DEFAULT_MAX_ROWS);
    }

    /** As {@link #of(ModelConfig, Optional, int, int)} with forward passes of up to {@code maxRows} rows. */
    public static CudaMemoryEstimate of(ModelConfig config, Optional<QuantizationConfig> quantization,
            int maxPositions, int maxBatch, int maxRows) {
        if (maxPositions <= 0 || maxBatch <= 0 || maxRows <= 0) {
            throw new IllegalArgumentException("positions " + maxPositions + ", batch " + maxBatch + " and rows "
                    + maxRows + " must be positive");
        }
        return new CudaMemoryEstimate(weightBytes(config, quantization), kvCacheBytes(config, maxPositions, maxBatch),
                workspaceBytes(config, Math.max(maxRows, maxBatch)));
    }

    public long total() {
        return weightBytes + kvCacheBytes + workspaceBytes;
    }

    /** Whether {@link #total()} plus {@link #HEADROOM_BYTES} fits in {@code freeBytes}. */
    public boolean fitsIn(long freeBytes) {
        return total() + HEADROOM_BYTES <= freeBytes;
    }

    /**
     * Free bytes on {@code device} now (CUDA must be available; makes the device current on the calling thread).
     * {@link CudaLibrary#availability()} holds a snapshot from its first call, which later loads must not trust.
     */
    public static long currentFreeBytes(int device) {
        CudaLibrary.requireAvailable();
        CudaNative.setDevice(device);
        return CudaNative.memoryInfo()[0];
    }

    /** Bytes of every weight of the model on the device. */
    public static long weightBytes(ModelConfig c, Optional<QuantizationConfig> quantization) {
        int hidden = c.hiddenSize();
        int qDim = c.numHeads() * c.headDim();
        int kvDim = c.kvDim();
        int inter = c.intermediateSize();
        long perLayer = projection(hidden, qDim, quantization) + 2 * projection(hidden, kvDim, quantization)
                + projection(qDim, hidden, quantization);
        int records = 4; // q|k|v and o
        if (c.modelType().isMixtureOfExperts()) {
            int experts = c.numLocalExperts();
            perLayer += experts * (2 * projection(hidden, inter, quantization) + projection(inter, hidden,
                    quantization));
            perLayer += 2L * experts * hidden; // router, fp16
            records += 3 * experts + 1;
        } else {
            perLayer += 2 * projection(hidden, inter, quantization) + projection(inter, hidden, quantization);
            records += 3;
        }
        perLayer += 2L * hidden * 4; // two norms
        perLayer += (long) records * DeviceMatrixTable.RECORD_BYTES;
        long total = perLayer * c.numLayers();
        long embed = 2L * c.vocabSize() * hidden;
        total += embed;
        total += c.tieWordEmbeddings() ? 0 : embed; // lm_head, unless it is the embedding table
        total += DeviceMatrixTable.RECORD_BYTES;
        total += 4L * hidden; // final norm
        total += 2L * 4 * c.maxPositionEmbeddings() * (c.headDim() / 2); // rotary tables
        return total;
    }

    private static long projection(int in, int out, Optional<QuantizationConfig> q) {
        return q.map(qc -> CudaGptqLayout.deviceBytes(in, out, qc.bits(), qc.groupSize()))
                .orElse(2L * in * out);
    }

    /** fp16 keys and values of every layer for {@code batch} sequences of {@code positions}. */
    public static long kvCacheBytes(ModelConfig c, int positions, int batch) {
        return 2L * 2 * c.numLayers() * batch * (long) positions * c.kvDim();
    }

    /**
     * Activation buffers of a forward pass of {@code rows} rows: residual stream and normalised copy
     * (2·hidden), q|k|v, attention output, MLP / expert gate|up rows ({@code rows·topk} of 2·intermediate), router
     * logits and routing tables, logits (vocab), and the token / sequence / position vectors.
     */
    public static long workspaceBytes(ModelConfig c, int rows) {
        int hidden = c.hiddenSize();
        int qDim = c.numHeads() * c.headDim();
        int kvDim = c.kvDim();
        boolean moe = c.modelType().isMixtureOfExperts();
        int topk = moe ? c.numExpertsPerToken() : 1;
        int experts = moe ? c.numLocalExperts() : 1;
        long floats = 2L * rows * hidden + (long) rows * (qDim + 2L * kvDim) + (long) rows * qDim
                + (long) rows * topk * 2L * c.intermediateSize() + (long) rows * c.vocabSize();
        long ints = 3L * rows; // tokens, seq, pos
        if (moe) {
            floats += (long) rows * experts + (long) rows * topk; // router logits, weights
            ints += 2L * rows * topk + experts + 1; // top-k ids, sorted assignments, offsets
        }
        return 4 * (floats + ints);
    }

    /** "25.24 GB weights + 4.29 GB KV cache + 0.63 GB workspace = 30.16 GB". */
    public String describe() {
        return String.format(Locale.ROOT, "%.2f GB weights + %.2f GB KV cache + %.2f GB workspace = %.2f GB",
                weightBytes / 1e9, kvCacheBytes / 1e9, workspaceBytes / 1e9, total() / 1e9);
    }
}
