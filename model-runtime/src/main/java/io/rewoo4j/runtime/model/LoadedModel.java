package io.rewoo4j.runtime.model;

import java.nio.file.Path;
import java.util.Optional;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.gptq.Linear;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/**
 * A Llama, Mistral or Mixtral checkpoint ready for inference on the CPU (the pure-Java reference backend).
 *
 * <p>Weights stay in the memory-mapped safetensors files: GPTQ projections are dequantised inside each product,
 * dense ones are widened row by row; only norm weights (a few KB) are copied to the heap. The model itself is
 * immutable and thread-safe; per-conversation state (the KV cache) lives in a {@link Session}, so one model serves
 * several sessions at once.
 *
 * <p>Errors: {@link io.rewoo4j.runtime.config.InvalidConfigException} for a config the runtime does not support
 * (unknown model_type, rope_scaling, an activation other than silu, a quantisation other than GPTQ), and
 * {@link CorruptCheckpointException} naming the tensor for a missing or mis-shaped weight.
 */
public final class LoadedModel implements AutoCloseable {
    private final ModelConfig config;
    private final Optional<QuantizationConfig> quantization;
    private final SafetensorsCheckpoint checkpoint;
    private final TensorView embeddings;
    private final TransformerBlock[] blocks;
    private final RmsNorm finalNorm;
    private final Linear lmHead;

    private LoadedModel(ModelConfig config, Optional<QuantizationConfig> quantization, SafetensorsCheckpoint ckpt,
            TensorView embeddings, TransformerBlock[] blocks, RmsNorm finalNorm, Linear lmHead) {
        this.config = config;
        this.quantization = quantization;
        this.checkpoint = ckpt;
        this.embeddings = embeddings;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    /** Loads the model folder {@code dir} (config.json and safetensors) on the shared kernel thread pool. */
    public static LoadedModel load(Path dir) {
        return load(dir, KernelThreads.shared());
    }

    /** As {@link #load(Path)} with an explicit thread pool (e.g. {@link KernelThreads#serial()} in tests). */
    public static LoadedModel load(Path dir, KernelThreads threads) {
        ModelConfig config = ModelConfig.load(dir);
        Optional<QuantizationConfig> quant = QuantizationConfig.load(dir);
        SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir);
        try {
            QuantizationConfig q = quant.orElse(null);
            TensorView embed = ckpt.tensor("model.embed_tokens.weight");
            if (embed.rank() != 2 || embed.dim(0) != config.vocabSize() || embed.dim(1) != config.hiddenSize()
                    || !embed.dtype().isReadableAsFloat()) {
                throw new CorruptCheckpointException(embed.file(), embed.name(), "expected a float tensor ["
                        + config.vocabSize() + ", " + config.hiddenSize() + "], got " + embed);
            }
            TransformerBlock[] blocks = new TransformerBlock[config.numLayers()];
            for (int l = 0; l < blocks.length; l++) {
                blocks[l] = TransformerBlock.load(ckpt, l, config, q, threads);
            }
            RmsNorm norm = RmsNorm.load(ckpt, "model.norm.weight", config.hiddenSize(), config.rmsNormEps());
            String head = ckpt.contains("lm_head.weight") || ckpt.contains("lm_head.qweight") || !config.tieWordEmbeddings()
                    ? "lm_head" : "model.embed_tokens";
            Linear lmHead = Shapes.linear(ckpt, head, q, threads, config.hiddenSize(), config.vocabSize());
            return new LoadedModel(config, quant, ckpt, embed, blocks, norm, lmHead);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** The GPTQ parameters, empty for an unquantised checkpoint. */
    public Optional<QuantizationConfig> quantization() {
        return quantization;
    }

    /** A new session whose context may grow to {@code max_position_embeddings}. */
    public Session newSession() {
        return newSession(config.maxPositionEmbeddings());
    }

    /** A new session whose context is capped at {@code maxPositions} (at most {@code max_position_embeddings}). */
    public Session newSession(int maxPositions) {
        if (maxPositions <= 0 || maxPositions > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("maxPositions " + maxPositions + " must be in 1.."
                    + config.maxPositionEmbeddings());
        }
        return new Session(this, new KvCache(config.numLayers(), config.kvDim(), maxPositions));
    }

    /** Releases the mapped checkpoint; sessions must not be used afterwards. */
    @Override
    public void close() {
        checkpoint.close();
    }

    /**
     * Runs {@code tokens} through every layer after the positions already in {@code cache}, appends them to it
     * and returns the logits of the last {@code logitRows} positions, [logitRows][vocab].
     */
    float[][] forward(int[] tokens, KvCache cache, int logitRows) {
        int rows = tokens.length;
        int hidden = config.hiddenSize();
        for (int t : tokens) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary 0.."
                        + (config.vocabSize() - 1));
            }
        }
        cache.reserve(rows);
        float[] x = new float[rows * hidden];
        for (int r = 0; r < rows; r++) {
            int t = tokens[r];
            long base = (long) t * hidden;
            for (int d = 0; d < hidden; d++) {
                x[r * hidden + d] = embeddings.getFloat(base + d);
            }
        }
        for (int l = 0; l < blocks.length; l++) {
            blocks[l].forward(x, rows, cache, l);
        }
        cache.advance(rows);
        int first = rows - logitRows;
        float[] last = new float[logitRows * hidden];
        System.arraycopy(x, first * hidden, last, 0, logitRows * hidden);
        finalNorm.apply(last, logitRows, last);
        int vocab = config.vocabSize();
        float[] logits = new float[logitRows * vocab];
        lmHead.matmul(last, logitRows, logits);
        float[][] out = new float[logitRows][];
        for (int r = 0; r < logitRows; r++) {
            out[r] = java.util.Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
        }
        return out;
    }
}
