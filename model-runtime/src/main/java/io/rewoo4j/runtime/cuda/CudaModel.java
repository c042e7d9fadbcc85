package io.rewoo4j.runtime.cuda;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/**
 * A Llama, Mistral or Mixtral model with every weight in device memory, uploaded once, and the forward pass as a
 * sequence of kernel launches on its {@link CudaContext}'s stream (see the {@code .cuh} headers for each kernel).
 *
 * <p>Weights: embeddings fp16 (BF16/F32 checkpoints converted), norms fp32, every projection a {@link CudaLinear}
 * (GPTQ layout or dense fp16), the Mixtral router dense fp16, {@code lm_head} dense fp16 or GPTQ (or the embedding
 * table when tied). Projections are grouped into {@link DeviceMatrixTable}s, one per launch: per layer q|k|v (three
 * matrices writing at columns 0, q_dim and q_dim + kv_dim of one row), o_proj, the router, the experts' gate|up
 * pairs (columns 0 and intermediate of one row per (token, expert) task) and their down projections; a Llama /
 * Mistral MLP is one expert without routing.
 *
 * <p>Forward of {@code rows} rows: embed → per layer { RMSNorm → q|k|v → RoPE and KV store → attention (prefill or
 * decode) → o_proj added into the residual stream → RMSNorm → router → top-k routing → gate|up → SiLU·up → down,
 * weighted and added into the residual stream } → final RMSNorm of the rows whose logits are wanted → lm_head →
 * fp32 logits (→ argmax or top-k sampling on the device when decoding). Activation buffers are sized once for
 * {@code maxRows} rows; longer prompts run in chunks.
 *
 * <p>Thread safety: the workspace is shared, so every forward pass holds the model's lock; sessions on several
 * threads take turns. {@link #close()} frees all device memory (the context's).
 */
public final class CudaModel implements AutoCloseable {

    /** @param maxRows rows of one forward pass (prefill chunk and largest decode batch) */
    public record Options(int maxRows) {
        public Options {
            if (maxRows <= 0) {
                throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
            }
        }

        public static Options defaults() {
            return new Options(CudaMemoryEstimate.DEFAULT_MAX_ROWS);
        }
    }

    /**
     * Where the weights come from: a checkpoint ({@link #load}) or, for benchmarks, generated on the device. Names
     * are the checkpoint's tensor prefixes ({@code model.layers.3.self_attn.q_proj}, ...).
     */
    public interface Weights {
        /** fp16 [vocab][hidden]. */
        DeviceBuffer embeddings(CudaContext ctx, ModelConfig config);

        /** fp32 [size]. */
        DeviceBuffer norm(CudaContext ctx, String name, int size);

        /** The projection {@code prefix} of {@code in → out} features (GPTQ or dense). */
        CudaLinear linear(CudaContext ctx, String prefix, int in, int out);

        /** lm_head [vocab][hidden], or the embedding table when tied. */
        CudaLinear lmHead(CudaContext ctx, ModelConfig config, DeviceBuffer embeddings);
    }

    /** One layer's device weights. */
    private record Layer(DeviceBuffer inputNorm, DeviceBuffer postNorm, DeviceMatrixTable qkv, DeviceMatrixTable o,
            DeviceMatrixTable router, DeviceMatrixTable gateUp, DeviceMatrixTable down) {
    }

    /** A KV cache on the device: per layer fp16 [maxSeqs][maxPositions][kvHeads][headDim] for keys and values. */
    static final class KvCache {
        final DeviceBuffer[] keys;
        final DeviceBuffer[] values;
        final int maxSeqs;
        final int maxPositions;

        KvCache(DeviceBuffer[] keys, DeviceBuffer[] values, int maxSeqs, int maxPositions) {
            this.keys = keys;
            this.values = values;
            this.maxSeqs = maxSeqs;
            this.maxPositions = maxPositions;
        }

        long bytes() {
            long b = 0;
            for (int l = 0; l < keys.length; l++) {
                b += keys[l].bytes() + values[l].bytes();
            }
            return b;
        }

        void close() {
            for (int l = 0; l < keys.length; l++) {
                keys[l].close();
                values[l].close();
            }
        }
    }

    private final CudaContext ctx;
    private final ModelConfig config;
    private final int maxRows;
    private final DeviceBuffer embeddings;
    private final Layer[] layers;
    private final DeviceBuffer finalNorm;
    private final DeviceMatrixTable lmHead;
    private final DeviceBuffer cos;
    private final DeviceBuffer sin;
    private final long weightBytes;

    // dimensions
    private final int hidden;
    private final int qDim;
    private final int kvDim;
    private final int qkvWidth;
    private final int inter;
    private final int vocab;
    private final boolean moe;
    private final int experts;
    private final int topk;
    private final int window;
    private final float scale;

    // workspace, [maxRows] rows each
    private final DeviceBuffer x;
    private final DeviceBuffer normed;
    private final DeviceBuffer qkv;
    private final DeviceBuffer attended;
    private final DeviceBuffer h;
    private final DeviceBuffer logits;
    private final DeviceBuffer tokens;
    private final DeviceBuffer seq;
    private final DeviceBuffer pos;
    private final DeviceBuffer routerLogits;
    private final DeviceBuffer topkWeight;
    private final DeviceBuffer topkIds;
    private final DeviceBuffer sortedAssign;
    private final DeviceBuffer expertOffset;

    private final Object lock = new Object();
    private final ConcurrentLinkedQueue<Runnable> released = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private CudaModel(CudaContext ctx, ModelConfig config, Weights weights, Options options) {
        this.ctx = ctx;
        this.config = config;
        this.maxRows = options.maxRows();
        this.hidden = config.hiddenSize();
        this.qDim = config.numHeads() * config.headDim();
        this.kvDim = config.kvDim();
        this.qkvWidth = qDim + 2 * kvDim;
        this.inter = config.intermediateSize();
        this.vocab = config.vocabSize();
        this.moe = config.modelType().isMixtureOfExperts();
        this.experts = moe ? config.numLocalExperts() : 1;
        this.topk = moe ? config.numExpertsPerToken() : 1;
        this.window = config.slidingWindow().orElse(0);
        this.scale = (float) (1.0 / Math.sqrt(config.headDim()));

        long before = ctx.allocatedBytes();
        this.embeddings = weights.embeddings(ctx, config);
        this.layers = new Layer[config.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = loadLayer(weights, l);
        }
        this.finalNorm = weights.norm(ctx, "model.norm.weight", hidden);
        CudaLinear head = weights.lmHead(ctx, config, embeddings);
        requireShape(head, "lm_head", hidden, vocab);
        this.lmHead = DeviceMatrixTable.upload(ctx, new CudaLinear[][] {{head}}, new int[] {0});
        RotaryTables rope = RotaryTables.compute(config.headDim(), config.ropeTheta(),
                config.maxPositionEmbeddings());
        this.cos = ctx.upload(rope.cos());
        this.sin = ctx.upload(rope.sin());
        this.weightBytes = ctx.allocatedBytes() - before;

        int r = maxRows;
        this.x = ctx.allocateFloats((long) r * hidden);
        this.normed = ctx.allocateFloats((long) r * hidden);
        this.qkv = ctx.allocateFloats((long) r * qkvWidth);
        this.attended = ctx.allocateFloats((long) r * qDim);
        this.h = ctx.allocateFloats((long) r * topk * 2 * inter);
        this.logits = ctx.allocateFloats((long) r * vocab);
        this.tokens = ctx.allocateInts(r);
        this.seq = ctx.allocateInts(r);
        this.pos = ctx.allocateInts(r);
        if (moe) {
            this.routerLogits = ctx.allocateFloats((long) r * experts);
            this.topkWeight = ctx.allocateFloats((long) r * topk);
            this.topkIds = ctx.allocateInts((long) r * topk);
            this.sortedAssign = ctx.allocateInts((long) r * topk);
            this.expertOffset = ctx.allocateInts(experts + 1);
        } else {
            this.routerLogits = null;
            this.topkWeight = null;
            this.topkIds = null;
            this.sortedAssign = null;
            this.expertOffset = null;
        }
        ctx.synchronize();
    }

    private Layer loadLayer(Weights w, int l) {
        String p = "model.layers." + l;
        DeviceBuffer inNorm = w.norm(ctx, p + ".input_layernorm.weight", hidden);
        CudaLinear q = projection(w, p + ".self_attn.q_proj", hidden, qDim);
        CudaLinear k = projection(w, p + ".self_attn.k_proj", hidden, kvDim);
        CudaLinear v = projection(w, p + ".self_attn.v_proj", hidden, kvDim);
        CudaLinear o = projection(w, p + ".self_attn.o_proj", qDim, hidden);
        DeviceMatrixTable qkvTable = DeviceMatrixTable.upload(ctx, new CudaLinear[][] {{q, k, v}},
                new int[] {0, qDim, qDim + kvDim});
        DeviceMatrixTable oTable = DeviceMatrixTable.upload(ctx, new CudaLinear[][] {{o}}, new int[] {0});
        DeviceBuffer postNorm = w.norm(ctx, p + ".post_attention_layernorm.weight", hidden);
        DeviceMatrixTable router = null;
        CudaLinear[][] gateUp = new CudaLinear[experts][];
        CudaLinear[][] down = new CudaLinear[experts][];
        if (moe) {
            String m = p + ".block_sparse_moe";
            router = DeviceMatrixTable.upload(ctx, new CudaLinear[][] {{projection(w, m + ".gate", hidden, experts)}},
                    new int[] {0});
            for (int e = 0; e < experts; e++) {
                String x = m + ".experts." + e;
                gateUp[e] = new CudaLinear[] {projection(w, x + ".w1", hidden, inter),
                    projection(w, x + ".w3", hidden, inter)};
                down[e] = new CudaLinear[] {projection(w, x + ".w2", inter, hidden)};
            }
        } else {
            gateUp[0] = new CudaLinear[] {projection(w, p + ".mlp.gate_proj", hidden, inter),
                projection(w, p + ".mlp.up_proj", hidden, inter)};
            down[0] = new CudaLinear[] {projection(w, p + ".mlp.down_proj", inter, hidden)};
        }
        return new Layer(inNorm, postNorm, qkvTable, oTable, router,
                DeviceMatrixTable.upload(ctx, gateUp, new int[] {0, inter}),
                DeviceMatrixTable.upload(ctx, down, new int[] {0}));
    }

    private CudaLinear projection(Weights w, String prefix, int in, int out) {
        CudaLinear l = w.linear(ctx, prefix, in, out);
        requireShape(l, prefix, in, out);
        return l;
    }

    private static void requireShape(CudaLinear l, String prefix, int in, int out) {
        if (l.inFeatures() != in || l.outFeatures() != out) {
            throw new IllegalArgumentException(prefix + ": expected a projection " + in + " → " + out
                    + " from config.json, got " + l.inFeatures() + " → " + l.outFeatures());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Loading
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Uploads every weight of {@code ckpt} to {@code ctx}, which the model then owns (closed with it, also when
     * the load fails). GPTQ layers are repacked on {@code threads} through one reused staging buffer; nothing of
     * the model is kept on the Java heap.
     */
    public static CudaModel load(CudaContext ctx, SafetensorsCheckpoint ckpt, ModelConfig config,
            Optional<QuantizationConfig> quantization, KernelThreads threads, Options options) {
        try {
            return create(ctx, config, new CheckpointWeights(ckpt, quantization.orElse(null), threads), options);
        } catch (RuntimeException | Error e) {
            try {
                ctx.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A model from any weight source (the context is owned by the model from here on). */
    public static CudaModel create(CudaContext ctx, ModelConfig config, Weights weights, Options options) {
        return new CudaModel(ctx, config, weights, options);
    }

    /** Weights read from a safetensors checkpoint, with the CPU backend's validation rules. */
    private static final class CheckpointWeights implements Weights {
        private final SafetensorsCheckpoint ckpt;
        private final QuantizationConfig quantization;
        private final KernelThreads threads;
        private final CudaLinear.Staging staging = new CudaLinear.Staging(32 << 20);

        CheckpointWeights(SafetensorsCheckpoint ckpt, QuantizationConfig quantization, KernelThreads threads) {
            this.ckpt = ckpt;
            this.quantization = quantization;
            this.threads = threads;
        }

        @Override
        public DeviceBuffer embeddings(CudaContext ctx, ModelConfig config) {
            TensorView embed = ckpt.tensor("model.embed_tokens.weight");
            if (embed.rank() != 2 || embed.dim(0) != config.vocabSize() || embed.dim(1) != config.hiddenSize()
                    || !embed.dtype().isReadableAsFloat()) {
                throw new CorruptCheckpointException(embed.file(), embed.name(), "expected a float tensor ["
                        + config.vocabSize() + ", " + config.hiddenSize() + "], got " + embed);
            }
            return CudaLinear.uploadHalfs(ctx, embed, staging);
        }

        @Override
        public DeviceBuffer norm(CudaContext ctx, String name, int size) {
            TensorView t = ckpt.tensor(name);
            if (t.elementCount() != size || !t.dtype().isReadableAsFloat()) {
                throw new CorruptCheckpointException(t.file(), name, "a norm weight must be a float vector of "
                        + size + " elements, got " + t);
            }
            return ctx.upload(t.toFloatArray());
        }

        @Override
        public CudaLinear linear(CudaContext ctx, String prefix, int in, int out) {
            CudaLinear l = CudaLinear.load(ctx, ckpt, prefix, quantization, threads, staging);
            if (l.inFeatures() != in || l.outFeatures() != out) {
                throw new CorruptCheckpointException(ckpt.directory(), prefix, "expected a projection " + in
                        + " → " + out + " from config.json, the checkpoint holds " + l.inFeatures() + " → "
                        + l.outFeatures());
            }
            return l;
        }

        @Override
        public CudaLinear lmHead(CudaContext ctx, ModelConfig config, DeviceBuffer embeddings) {
            boolean own = ckpt.contains("lm_head.weight") || ckpt.contains("lm_head.qweight")
                    || !config.tieWordEmbeddings();
            if (own) {
                return linear(ctx, "lm_head", config.hiddenSize(), config.vocabSize());
            }
            return CudaLinear.denseView(embeddings, config.hiddenSize(), config.vocabSize());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Accessors
    // ---------------------------------------------------------------------------------------------------------

    public ModelConfig config() {
        return config;
    }

    public CudaContext context() {
        return ctx;
    }

    public int maxRows() {
        return maxRows;
    }

    /** Device bytes of the weights, tables and rotary tables. */
    public long weightBytes() {
        return weightBytes;
    }

    /**
     * Weight bytes one decode step of {@code batch} rows reads, with {@code activeExperts} experts of each MoE layer
     * in use: attention projections, router, the active experts' three projections, lm_head (KV cache not
     * included). For Llama/Mistral {@code activeExperts} is ignored.
     */
    public long decodeWeightBytes(double activeExperts) {
        double b = 0;
        for (Layer l : layers) {
            b += l.qkv().bytesRead() + l.o().bytesRead();
            if (moe) {
                b += l.router().bytesRead();
                b += activeExperts / experts * (l.gateUp().bytesRead() + l.down().bytesRead());
            } else {
                b += l.gateUp().bytesRead() + l.down().bytesRead();
            }
        }
        return (long) b + lmHead.bytesRead();
    }

    /** A new session of up to {@code maxSequences} sequences of {@code maxPositions} positions each. */
    public CudaSession newSession(int maxPositions, int maxSequences) {
        return new CudaSession(this, maxPositions, maxSequences);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Forward passes (package-private: CudaSession drives them)
    // ---------------------------------------------------------------------------------------------------------

    Object lock() {
        return lock;
    }

    int vocab() {
        return vocab;
    }

    KvCache allocateKv(int maxSeqs, int maxPositions) {
        if (maxPositions > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("maxPositions " + maxPositions + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        int n = config.numLayers();
        DeviceBuffer[] k = new DeviceBuffer[n];
        DeviceBuffer[] v = new DeviceBuffer[n];
        long elements = (long) maxSeqs * maxPositions * kvDim;
        try {
            for (int l = 0; l < n; l++) {
                k[l] = ctx.allocateHalfs(elements);
                v[l] = ctx.allocateHalfs(elements);
            }
        } catch (RuntimeException e) {
            for (int l = 0; l < n; l++) {
                if (k[l] != null) {
                    k[l].close();
                }
                if (v[l] != null) {
                    v[l].close();
                }
            }
            throw e;
        }
        return new KvCache(k, v, maxSeqs, maxPositions);
    }

    /** Queues {@code r} to run on the next forward pass's thread (frees a dropped session's memory safely). */
    void releaseLater(Runnable r) {
        released.add(r);
    }

    /** Runs what {@link #releaseLater} queued; the caller holds the lock. */
    void drainReleased() {
        Runnable r;
        while ((r = released.poll()) != null) {
            if (!closed) {
                r.run();
            }
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the CUDA model is closed");
        }
    }

    /**
     * Runs {@code tokens} of sequence {@code seqIndex} at positions {@code start …} through the model (in chunks
     * of {@link #maxRows}), storing their keys and values in {@code kv}; returns the logits of the last
     * {@code logitRows} tokens ([logitRows][vocab]; none for 0). The caller holds the lock and validated the
     * tokens and the room in the cache.
     */
    float[][] prefill(KvCache kv, int seqIndex, int start, int[] tokenIds, int logitRows) {
        ctx.makeCurrent();
        int n = tokenIds.length;
        int firstLogit = n - logitRows;
        float[][] out = new float[logitRows][];
        for (int c0 = 0; c0 < n; c0 += maxRows) {
            int rows = Math.min(maxRows, n - c0);
            ctx.write(tokens, 0, tokenIds, c0, rows); // synchronous: waits for the work before it
            CudaNative.positionsFill(ctx.stream(), seq.address(), pos.address(), rows, seqIndex, start + c0);
            enqueueLayers(rows, tokens.address(), seq.address(), pos.address(), kv, seqIndex, start + c0);
            int lo = Math.max(c0, firstLogit);
            int hi = c0 + rows;
            if (lo < hi) {
                int count = hi - lo;
                enqueueHead(rows, count);
                float[] flat = new float[count * vocab];
                ctx.download(logits, 0, flat, 0, flat.length);
                for (int r = 0; r < count; r++) {
                    out[lo - firstLogit + r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
                }
            }
        }
        ctx.synchronize();
        return out;
    }

    /**
     * Enqueues one decode step of {@code batch} rows (row r: sequence {@code seqs[r]} at position {@code pos[r]},
     * token {@code tokenIds[r]}; device addresses): the layers, the logits of every row into the logits buffer,
     * the argmax of each row written back over {@code tokenIds}, and the positions advanced by one. Everything reads
     * device memory only, so it can be captured into a graph and replayed.
     */
    void enqueueDecodeStep(int batch, long tokenIds, long seqs, long positions, KvCache kv) {
        enqueueLayers(batch, tokenIds, seqs, positions, kv, -1, 0);
        enqueueHead(batch, batch);
        CudaNative.argmaxRows(ctx.stream(), logits.address(), batch, vocab, tokenIds);
        CudaNative.countersAdvance(ctx.stream(), positions, batch, 1);
    }

    /**
     * As {@link #enqueueDecodeStep}, but the token written back for row r is drawn by top-k sampling from the row's
     * logits ({@code topK} clamped to the vocabulary, {@code temperature} positive) with a uniform hashed from
     * ({@code seed}, *{@code step}, r); the step counter (one device int) is then advanced by one, so that every
     * replay of a captured step draws fresh numbers.
     */
    void enqueueSampledDecodeStep(int batch, long tokenIds, long seqs, long positions, KvCache kv, int topK,
            float temperature, long seed, long step) {
        enqueueLayers(batch, tokenIds, seqs, positions, kv, -1, 0);
        enqueueHead(batch, batch);
        CudaNative.sampleTopK(ctx.stream(), logits.address(), batch, vocab, Math.min(topK, vocab), temperature, seed,
                step, tokenIds);
        CudaNative.countersAdvance(ctx.stream(), step, 1, 1);
        CudaNative.countersAdvance(ctx.stream(), positions, batch, 1);
    }

    /** Copies the logits of the first {@code rows} rows of the last head pass ([rows][vocab]). */
    float[][] downloadLogits(int rows) {
        float[] flat = new float[rows * vocab];
        ctx.download(logits, 0, flat, 0, flat.length);
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
        }
        return out;
    }

    /** Expert offsets of the last MoE layer of the last pass ([experts + 1]; empty without MoE). */
    int[] lastExpertOffsets() {
        if (!moe) {
            return new int[0];
        }
        return ctx.downloadInts(expertOffset);
    }

    /**
     * The layers for {@code rows} rows. {@code prefillSeq} ≥ 0: the rows are consecutive positions
     * {@code prefillStart …} of that sequence (tiled prefill attention); −1: each row its own sequence and
     * position, read from {@code seqs}/{@code positions} (decode attention).
     */
    private void enqueueLayers(int rows, long tokenIds, long seqs, long positions, KvCache kv, int prefillSeq,
            int prefillStart) {
        long stream = ctx.stream();
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        float eps = config.rmsNormEps();
        long xa = x.address();
        long na = normed.address();
        long qa = qkv.address();
        long aa = attended.address();
        long ha = h.address();
        CudaNative.embedRows(stream, embeddings.address(), vocab, hidden, tokenIds, rows, xa);
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            // attention
            CudaNative.rmsNorm(stream, xa, hidden, layer.inputNorm().address(), rows, hidden, eps, na, hidden);
            CudaNative.memset(qa, 0, 4L * rows * qkvWidth, stream);
            layer.qkv().launch(ctx, na, hidden, rows, DeviceMatrixTable.INPUT_TOKEN, DeviceMatrixTable.OUTPUT_TASK,
                    qa, qkvWidth, rows, null, rows);
            long kc = kv.keys[l].address();
            long vc = kv.values[l].address();
            CudaNative.ropeAndStoreKv(stream, qa, qkvWidth, rows, heads, kvHeads, headDim, seqs, positions,
                    cos.address(), sin.address(), kc, vc, kv.maxSeqs, kv.maxPositions);
            if (prefillSeq >= 0) {
                CudaNative.attentionPrefill(stream, qa, qkvWidth, rows, heads, kvHeads, headDim, prefillSeq,
                        prefillStart, kc, vc, kv.maxSeqs, kv.maxPositions, window, scale, aa, qDim);
            } else {
                CudaNative.attentionDecode(stream, qa, qkvWidth, rows, heads, kvHeads, headDim, seqs, positions, kc,
                        vc, kv.maxSeqs, kv.maxPositions, window, scale, aa, qDim);
            }
            layer.o().launch(ctx, aa, qDim, rows, DeviceMatrixTable.INPUT_TOKEN,
                    DeviceMatrixTable.OUTPUT_TOKEN_WEIGHTED, xa, hidden, rows, null, rows);
            // feed-forward
            CudaNative.rmsNorm(stream, xa, hidden, layer.postNorm().address(), rows, hidden, eps, na, hidden);
            DeviceMatrixTable.Routing routing = null;
            int tasks = rows;
            if (moe) {
                CudaNative.memset(routerLogits.address(), 0, 4L * rows * experts, stream);
                layer.router().launch(ctx, na, hidden, rows, DeviceMatrixTable.INPUT_TOKEN,
                        DeviceMatrixTable.OUTPUT_TASK, routerLogits.address(), experts, rows, null, rows);
                CudaNative.moeRoute(stream, routerLogits.address(), rows, experts, topk, topkIds.address(),
                        topkWeight.address(), expertOffset.address(), sortedAssign.address());
                routing = new DeviceMatrixTable.Routing(topk, expertOffset.address(), sortedAssign.address(),
                        topkWeight.address());
                tasks = rows * topk;
            }
            CudaNative.memset(ha, 0, 4L * tasks * 2 * inter, stream);
            layer.gateUp().launch(ctx, na, hidden, rows, DeviceMatrixTable.INPUT_TOKEN,
                    DeviceMatrixTable.OUTPUT_TASK, ha, 2 * inter, tasks, routing, rows);
            layer.down().launch(ctx, ha, 2 * inter, rows, DeviceMatrixTable.INPUT_SILU_MUL,
                    DeviceMatrixTable.OUTPUT_TOKEN_WEIGHTED, xa, hidden, rows, routing, rows);
        }
    }

    /** Final norm of the last {@code logitRows} of {@code rows} rows and lm_head into logits rows 0 … logitRows−1. */
    private void enqueueHead(int rows, int logitRows) {
        long stream = ctx.stream();
        long last = x.slice((long) (rows - logitRows) * hidden);
        CudaNative.rmsNorm(stream, last, hidden, finalNorm.address(), logitRows, hidden, config.rmsNormEps(),
                normed.address(), hidden);
        CudaNative.memset(logits.address(), 0, 4L * logitRows * vocab, stream);
        lmHead.launch(ctx, normed.address(), hidden, logitRows, DeviceMatrixTable.INPUT_TOKEN,
                DeviceMatrixTable.OUTPUT_TASK, logits.address(), vocab, logitRows, null, logitRows);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Diagnostics
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Device copy bandwidth of {@code ctx}: {@code repeats} device-to-device copies of {@code bytes} bytes timed
     * with events; returns bytes read plus written per second for each copy (the ceiling a memory-bound decode
     * step is compared with).
     */
    public static double[] copyBandwidth(CudaContext ctx, long bytes, int repeats) {
        try (DeviceBuffer a = ctx.allocate(bytes, ElementType.BYTES);
                DeviceBuffer b = ctx.allocate(bytes, ElementType.BYTES)) {
            ctx.zero(a);
            ctx.copy(a, b); // warm-up
            double[] rates = new double[repeats];
            long start = CudaNative.eventCreate();
            long end = CudaNative.eventCreate();
            try {
                for (int i = 0; i < repeats; i++) {
                    CudaNative.eventRecord(start, ctx.stream());
                    ctx.copy(a, b);
                    CudaNative.eventRecord(end, ctx.stream());
                    float ms = CudaNative.eventElapsedMillis(start, end);
                    rates[i] = 2.0 * bytes / (ms / 1e3);
                }
            } finally {
                CudaNative.eventDestroy(start);
                CudaNative.eventDestroy(end);
            }
            ctx.synchronize();
            return rates;
        }
    }

    /** Milliseconds {@code work} takes on {@code ctx}'s stream, between two events recorded around it. */
    public static float timeMillis(CudaContext ctx, Runnable work) {
        ctx.makeCurrent();
        long start = CudaNative.eventCreate();
        long end = CudaNative.eventCreate();
        try {
            CudaNative.eventRecord(start, ctx.stream());
            work.run();
            CudaNative.eventRecord(end, ctx.stream());
            return CudaNative.eventElapsedMillis(start, end);
        } finally {
            CudaNative.eventDestroy(start);
            CudaNative.eventDestroy(end);
        }
    }

    /** Frees every device allocation (the context is closed); sessions must not be used afterwards. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            released.clear();
            ctx.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "CudaModel[%s, %d layers, %.2f GB of weights on device %d]",
                config.modelType(), layers.length, weightBytes / 1e9, ctx.device());
    }
}
