package io.rewoo4j.runtime.model;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.cuda.CudaAvailability;
import io.rewoo4j.runtime.cuda.CudaContext;
import io.rewoo4j.runtime.cuda.CudaDevice;
import io.rewoo4j.runtime.cuda.CudaException;
import io.rewoo4j.runtime.cuda.CudaLibrary;
import io.rewoo4j.runtime.cuda.CudaMemoryEstimate;
import io.rewoo4j.runtime.cuda.CudaModel;
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
 * <p>Backends ({@link #load(Path, Backend)}): {@link Backend#CPU} is the description above; {@link Backend#CUDA}
 * uploads every weight to a CUDA device once ({@link CudaModel}) and runs sessions there; {@link Backend#AUTO} takes
 * CUDA when a device is usable and the model fits in its free memory ({@link CudaMemoryEstimate} for one sequence
 * of {@code max_position_embeddings}), else the CPU, logging the reason once per JVM ({@link #backendNote()}).
 * {@link #load(Path)} is the CPU backend.
 *
 * <p>Errors: {@link io.rewoo4j.runtime.config.InvalidConfigException} for a config the runtime does not support
 * (unknown model_type, rope_scaling, an activation other than silu, a quantisation other than GPTQ), and
 * {@link CorruptCheckpointException} naming the tensor for a missing or mis-shaped weight.
 */
public final class LoadedModel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LoadedModel.class.getName());
    /** The CPU-fallback reason is logged once per JVM. */
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final ModelConfig config;
    private final Optional<QuantizationConfig> quantization;
    private final SafetensorsCheckpoint checkpoint;
    private final TensorView embeddings;
    private final TransformerBlock[] blocks;
    private final RmsNorm finalNorm;
    private final Linear lmHead;
    private final CudaModel cuda;
    private final Optional<String> backendNote;
    private final Optional<String> deviceDescription;

    private LoadedModel(ModelConfig config, Optional<QuantizationConfig> quantization, SafetensorsCheckpoint ckpt,
            TensorView embeddings, TransformerBlock[] blocks, RmsNorm finalNorm, Linear lmHead) {
        this(config, quantization, ckpt, embeddings, blocks, finalNorm, lmHead, null, Optional.empty(),
                Optional.empty());
    }

    private LoadedModel(ModelConfig config, Optional<QuantizationConfig> quantization, SafetensorsCheckpoint ckpt,
            TensorView embeddings, TransformerBlock[] blocks, RmsNorm finalNorm, Linear lmHead, CudaModel cuda,
            Optional<String> backendNote, Optional<String> deviceDescription) {
        this.config = config;
        this.quantization = quantization;
        this.checkpoint = ckpt;
        this.embeddings = embeddings;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.cuda = cuda;
        this.backendNote = backendNote;
        this.deviceDescription = deviceDescription;
    }

    /** This model with a backend note (the reason AUTO chose the CPU). */
    private LoadedModel withNote(String note) {
        return new LoadedModel(config, quantization, checkpoint, embeddings, blocks, finalNorm, lmHead, cuda,
                Optional.of(note), deviceDescription);
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

    /**
     * Loads {@code dir} on {@code backend} with the shared kernel thread pool (the CPU backend's products, and the
     * CUDA backend's host repack of GPTQ layers).
     *
     * @throws IllegalStateException when {@link Backend#CUDA} is requested and no usable device can hold the model
     *                               (the message gives the reason)
     */
    public static LoadedModel load(Path dir, Backend backend) {
        return load(dir, backend, KernelThreads.shared());
    }

    /** As {@link #load(Path, Backend)} with an explicit thread pool. */
    public static LoadedModel load(Path dir, Backend backend, KernelThreads threads) {
        Objects.requireNonNull(backend, "backend");
        if (backend == Backend.CPU) {
            return load(dir, threads);
        }
        ModelConfig config = ModelConfig.load(dir);
        Optional<QuantizationConfig> quant = QuantizationConfig.load(dir);
        CudaMemoryEstimate estimate = CudaMemoryEstimate.of(config, quant, config.maxPositionEmbeddings(), 1);
        BackendChoice choice = chooseBackend(backend, withCurrentFreeMemory(CudaLibrary.availability()), estimate);
        if (choice.backend() == Backend.CPU) {
            return fallBack(dir, threads, choice.note().orElseThrow());
        }
        CudaDevice device = choice.device().orElseThrow();
        SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir);
        CudaModel model;
        try {
            CudaContext ctx = CudaContext.open(device.index());
            model = CudaModel.load(ctx, ckpt, config, quant, threads, CudaModel.Options.defaults());
        } catch (CudaException | IllegalArgumentException e) {
            // a CUDA failure (out of memory, ...) or a shape the CUDA kernels do not support
            ckpt.close();
            if (backend == Backend.AUTO) {
                return fallBack(dir, threads, "loading the model onto " + device.name() + " failed: "
                        + e.getMessage());
            }
            throw e;
        } catch (RuntimeException | Error e) {
            ckpt.close();
            throw e;
        }
        String description = String.format(java.util.Locale.ROOT, "CUDA device %d: %s; %.2f GB of weights",
                device.index(), device, model.weightBytes() / 1e9);
        return new LoadedModel(config, quant, ckpt, null, null, null, null, model, Optional.empty(),
                Optional.of(description));
    }

    /** The devices with their free memory read now (the library's snapshot is from its first probe). */
    private static CudaAvailability withCurrentFreeMemory(CudaAvailability a) {
        if (!a.available()) {
            return a;
        }
        try {
            return new CudaAvailability(true, a.reason(), a.devices().stream().map(d -> new CudaDevice(d.index(),
                    d.name(), d.major(), d.minor(), d.totalMemory(), CudaMemoryEstimate.currentFreeBytes(d.index()),
                    d.multiprocessors(), d.l2CacheBytes(), d.memoryBusWidthBits(), d.memoryClockKHz())).toList(),
                    a.buildInfo());
        } catch (CudaException e) {
            return a;
        }
    }

    private static LoadedModel fallBack(Path dir, KernelThreads threads, String note) {
        if (FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "rewoo4j: running on the CPU: " + note);
        }
        return load(dir, threads).withNote(note);
    }

    /**
     * What {@link #load(Path, Backend)} decides for {@code requested}, given what CUDA offers and what the model
     * needs: the backend, the device (for CUDA: the one with the most free memory) and, when AUTO falls back to
     * the CPU, why.
     */
    public record BackendChoice(Backend backend, Optional<CudaDevice> device, Optional<String> note) {
    }

    /**
     * The backend decision (public for tests and diagnostics). AUTO: CUDA when {@code availability} is available
     * and {@code estimate} fits in the free memory of its roomiest device, else the CPU with a note such as
     * "no CUDA device: ..." (logged as "rewoo4j: running on the CPU: no CUDA device: ..."). CUDA: that device, or an {@link IllegalStateException} with the
     * reason. CPU: the CPU, no note.
     */
    public static BackendChoice chooseBackend(Backend requested, CudaAvailability availability,
            CudaMemoryEstimate estimate) {
        if (requested == Backend.CPU) {
            return new BackendChoice(Backend.CPU, Optional.empty(), Optional.empty());
        }
        String problem;
        CudaDevice best = null;
        if (!availability.available()) {
            problem = availability.reason();
        } else if (availability.devices().isEmpty()) {
            problem = "no CUDA device is visible";
        } else {
            best = availability.devices().stream().max(Comparator.comparingLong(CudaDevice::freeMemory)).get();
            problem = estimate.fitsIn(best.freeMemory()) ? null : String.format(java.util.Locale.ROOT,
                    "the model needs %s (plus %.1f GB headroom) but %s has %.2f GB free", estimate.describe(),
                    CudaMemoryEstimate.HEADROOM_BYTES / 1e9, best.name(), best.freeMemory() / 1e9);
        }
        if (problem == null) {
            return new BackendChoice(Backend.CUDA, Optional.of(best), Optional.empty());
        }
        if (requested == Backend.CUDA) {
            throw new IllegalStateException("the CUDA backend was requested but cannot be used: " + problem);
        }
        return new BackendChoice(Backend.CPU, Optional.empty(), Optional.of(problem));
    }

    /** The backend in use: {@link Backend#CPU} or {@link Backend#CUDA}. */
    public Backend backend() {
        return cuda == null ? Backend.CPU : Backend.CUDA;
    }

    /** Why {@link Backend#AUTO} chose the CPU (e.g. "no CUDA device: ..."); empty otherwise. */
    public Optional<String> backendNote() {
        return backendNote;
    }

    /** The device the model runs on, for the CUDA backend. */
    public Optional<String> deviceDescription() {
        return deviceDescription;
    }

    /** The device model, for the CUDA backend (batched decoding through {@link CudaModel#newSession}). */
    public Optional<CudaModel> cudaModel() {
        return Optional.ofNullable(cuda);
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
        if (cuda != null) {
            return new Session(this, cuda.newSession(maxPositions, 1));
        }
        return new Session(this, new KvCache(config.numLayers(), config.kvDim(), maxPositions));
    }

    /** Releases the mapped checkpoint (and the device memory of the CUDA backend); sessions must not be used
     *  afterwards. */
    @Override
    public void close() {
        try {
            if (cuda != null) {
                cuda.close();
            }
        } finally {
            checkpoint.close();
        }
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
