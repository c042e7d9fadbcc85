package io.rewoo4j.runtime.cuda;

import java.lang.ref.Cleaner;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import io.rewoo4j.runtime.model.ContextFullException;

/**
 * Sequences decoded on a {@link CudaModel}: a device KV cache of {@code maxSequences} × {@code maxPositions}
 * positions per layer (fp16 [seq][pos][kv_heads][head_dim]), the length of each sequence, and for each decode batch
 * size a captured CUDA graph of one decode step: it reads the batch's tokens and positions from device memory,
 * writes the argmax tokens back over the tokens and advances the positions, so that replays chain on the device.
 * Sampled decoding ({@link #decodeSampled}) has its own graphs, one per batch size and {@link Sampling}: the next
 * tokens are drawn by top-k sampling with a uniform hashed from (seed, step, row), where the step is a device counter
 * of the session that the graph advances, so every replay draws fresh numbers and equal seeds give equal sequences.
 *
 * <p>The single-sequence operations ({@link #logits}, {@link #logitsPerPosition}, {@link #next}, {@link #length},
 * {@link #reset}) work on sequence 0 with the semantics of {@code model.Session}; {@link #prefill(int, int[])},
 * {@link #decodeGreedy} and {@link #decodeSampled} drive several sequences (batched decoding).
 *
 * <p>Not thread-safe (one thread drives a session); sessions of one model on different threads take turns on the
 * model's lock. {@link #close()} frees the device memory; a session dropped without closing is freed by a later
 * forward pass of the model (or when the model closes).
 */
public final class CudaSession implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The largest top-k of the sampling kernel (one candidate per thread of its 1024-thread block). */
    public static final int MAX_TOP_K = 1024;

    /**
     * Sampled graphs a session keeps (the least recently used one is destroyed to make room): the settings are launch
     * parameters baked into a graph, so every (batch, {@link Sampling}) pair needs its own.
     */
    static final int MAX_SAMPLED_GRAPHS = 16;

    /**
     * Top-k sampling settings of a decode step: the next token of a row is drawn from softmax(logits / temperature)
     * restricted to the row's {@code topK} largest logits (ties at the cut keep the lower token ids).
     *
     * @param topK        candidates per row, 1 … {@value CudaSession#MAX_TOP_K}; more than the vocabulary keeps
     *                    every token, 1 is the arg-max
     * @param temperature positive, at least {@link Float#MIN_NORMAL}, and finite
     * @param seed        with the session's step counter and the row, the input of the counter-based uniform draw
     */
    public record Sampling(int topK, float temperature, long seed) {
        public Sampling {
            if (topK < 1 || topK > MAX_TOP_K) {
                throw new IllegalArgumentException("topK must be in 1.." + MAX_TOP_K
                        + " (the sampling kernel's limit), got " + topK);
            }
            // below the smallest normal float, logits / temperature overflows in the kernel
            if (!(temperature >= Float.MIN_NORMAL) || Float.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be positive, normal and finite, got "
                        + temperature);
            }
        }
    }

    /** Cache key of a sampled decode graph. */
    private record SampledKey(int batch, Sampling sampling) {
    }

    private final CudaModel model;
    private final int maxPositions;
    private final int maxSequences;
    private final int[] lengths;
    private final Resources resources;
    private final Cleaner.Cleanable cleanable;
    /** Whether the device positions differ from {@link #lengths} (after a prefill or reset). */
    private boolean positionsStale = true;
    /** Whether the device step counter must be set back to 0 before the next sampled step (after {@link #reset()}). */
    private boolean stepStale;
    private boolean closed;

    /** Device memory of a session, freed on close or, for a dropped session, on the model's thread. */
    private static final class Resources implements Runnable {
        private final CudaModel model;
        final CudaModel.KvCache kv;
        final DeviceBuffer tokens;
        final DeviceBuffer seqIds;
        final DeviceBuffer positions;
        /** One int: the sampling step, advanced by every replay of a sampled graph. */
        final DeviceBuffer step;
        final Map<Integer, CudaGraph> graphs = new HashMap<>();
        /** Access-ordered, so that the first entry is the least recently used. */
        final LinkedHashMap<SampledKey, CudaGraph> sampledGraphs = new LinkedHashMap<>(16, 0.75f, true);

        Resources(CudaModel model, CudaModel.KvCache kv, DeviceBuffer tokens, DeviceBuffer seqIds,
                DeviceBuffer positions, DeviceBuffer step) {
            this.model = model;
            this.kv = kv;
            this.tokens = tokens;
            this.seqIds = seqIds;
            this.positions = positions;
            this.step = step;
        }

        /** Cleaner action: hand the freeing to the model's next forward pass. */
        @Override
        public void run() {
            model.releaseLater(this::free);
        }

        void free() {
            for (CudaGraph g : graphs.values()) {
                g.close();
            }
            graphs.clear();
            for (CudaGraph g : sampledGraphs.values()) {
                g.close();
            }
            sampledGraphs.clear();
            kv.close();
            tokens.close();
            seqIds.close();
            positions.close();
            step.close();
        }
    }

    CudaSession(CudaModel model, int maxPositions, int maxSequences) {
        if (maxPositions <= 0 || maxPositions > model.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("maxPositions " + maxPositions + " must be in 1.."
                    + model.config().maxPositionEmbeddings());
        }
        if (maxSequences <= 0 || maxSequences > model.maxRows()) {
            throw new IllegalArgumentException("maxSequences " + maxSequences + " must be in 1.." + model.maxRows()
                    + " (the model's rows per forward pass)");
        }
        this.model = model;
        this.maxPositions = maxPositions;
        this.maxSequences = maxSequences;
        this.lengths = new int[maxSequences];
        CudaContext ctx = model.context();
        synchronized (model.lock()) {
            model.ensureOpen();
            model.drainReleased();
            CudaModel.KvCache kv = model.allocateKv(maxSequences, maxPositions);
            DeviceBuffer tokens = null;
            DeviceBuffer seqIds = null;
            DeviceBuffer positions = null;
            DeviceBuffer step = null;
            try {
                tokens = ctx.allocateInts(maxSequences);
                seqIds = ctx.allocateInts(maxSequences);
                positions = ctx.allocateInts(maxSequences);
                step = ctx.allocateInts(1);
                int[] ids = new int[maxSequences];
                for (int s = 0; s < maxSequences; s++) {
                    ids[s] = s;
                }
                ctx.write(seqIds, ids);
                ctx.write(tokens, new int[maxSequences]);
                ctx.write(positions, new int[maxSequences]);
                ctx.write(step, new int[1]);
            } catch (RuntimeException e) {
                kv.close();
                for (DeviceBuffer b : new DeviceBuffer[] {tokens, seqIds, positions, step}) {
                    if (b != null) {
                        b.close();
                    }
                }
                throw e;
            }
            this.resources = new Resources(model, kv, tokens, seqIds, positions, step);
        }
        this.cleanable = CLEANER.register(this, resources);
    }

    public CudaModel model() {
        return model;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sequence 0, as model.Session
    // ---------------------------------------------------------------------------------------------------------

    /** Appends {@code tokens} (at least one) to sequence 0 and returns the logits after the last, [vocab]. */
    public float[] logits(int[] tokens) {
        return prefill(0, tokens, 1)[0];
    }

    /** Appends {@code tokens} to sequence 0 and returns the logits after each of them, [tokens.length][vocab]. */
    public float[][] logitsPerPosition(int[] tokens) {
        return prefill(0, tokens, tokens == null ? 0 : tokens.length);
    }

    /** Appends one token to sequence 0 and returns the logits for the token after it, [vocab] (a graph replay). */
    public float[] next(int token) {
        checkToken(token);
        synchronized (model.lock()) {
            begin();
            reserve(0, 1);
            decodeStep(new int[] {token});
            return model.downloadLogits(1)[0];
        }
    }

    /** Positions held for sequence 0. */
    public int length() {
        return length(0);
    }

    /** The most positions a sequence can hold. */
    public int maxPositions() {
        return maxPositions;
    }

    /**
     * Forgets every position of every sequence and restarts the sampling step counter at 0, so that the session
     * then samples as a fresh one (the device memory is kept).
     */
    public void reset() {
        java.util.Arrays.fill(lengths, 0);
        positionsStale = true;
        stepStale = true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Several sequences
    // ---------------------------------------------------------------------------------------------------------

    public int maxSequences() {
        return maxSequences;
    }

    /** Positions held for sequence {@code seq}. */
    public int length(int seq) {
        checkSeq(seq);
        return lengths[seq];
    }

    /** Forgets sequence {@code seq} (the sampling step counter, shared by all sequences, goes on). */
    public void reset(int seq) {
        checkSeq(seq);
        lengths[seq] = 0;
        positionsStale = true;
    }

    /** Appends {@code tokens} to sequence {@code seq} (one chunked prefill) and returns the last logits, [vocab]. */
    public float[] prefill(int seq, int[] tokens) {
        return prefill(seq, tokens, 1)[0];
    }

    /**
     * One greedy decode step of sequences {@code 0 … lastTokens.length−1}: appends {@code lastTokens[s]} to
     * sequence {@code s} and returns the argmax of its next-token logits, all rows in one graph replay.
     */
    public int[] decodeGreedy(int[] lastTokens) {
        int batch = checkBatch(lastTokens);
        synchronized (model.lock()) {
            begin();
            for (int s = 0; s < batch; s++) {
                reserve(s, 1);
            }
            decodeStep(lastTokens);
            int[] next = new int[batch];
            model.context().download(resources.tokens, 0, next, 0, batch);
            return next;
        }
    }

    /**
     * One sampled decode step of sequences {@code 0 … lastTokens.length−1}: appends {@code lastTokens[s]} to
     * sequence {@code s} and returns, for each, a token drawn by top-k sampling from its next-token logits, all rows
     * in one graph replay. The draw of row {@code s} is a counter-based hash of ({@code seed}, step, {@code s}),
     * where step counts the sampled steps of this session since it was created or last {@link #reset()}: a fresh
     * session fed the same tokens with the same settings returns the same tokens (as long as its logits are the
     * same: the split-K linear kernels may differ in the last bits from run to run, see {@code gptq.cu}).
     *
     * <p>{@code topK ≤ 0} or {@code temperature ≤ 0} means greedy: this is then {@link #decodeGreedy} (the step
     * counter does not advance).
     *
     * @throws IllegalArgumentException when {@code topK} exceeds {@value #MAX_TOP_K}, {@code temperature} is NaN or
     *                                  infinite, or the tokens are invalid (as {@link #decodeGreedy})
     */
    public int[] decodeSampled(int[] lastTokens, int topK, float temperature, long seed) {
        if (Float.isNaN(temperature) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite, got " + temperature);
        }
        if (topK > MAX_TOP_K) {
            throw new IllegalArgumentException("topK must be at most " + MAX_TOP_K
                    + " (the sampling kernel's limit; 0 or less is greedy), got " + topK);
        }
        if (topK <= 0 || temperature <= 0) {
            return decodeGreedy(lastTokens);
        }
        return decodeSampled(lastTokens, new Sampling(topK, temperature, seed));
    }

    /** {@link #decodeSampled(int[], int, float, long)} with validated settings (never greedy unless topK is 1). */
    public int[] decodeSampled(int[] lastTokens, Sampling sampling) {
        if (sampling == null) {
            throw new IllegalArgumentException("sampling settings are required");
        }
        int batch = checkBatch(lastTokens);
        // a top-k beyond the vocabulary keeps every token: one graph for all such settings
        Sampling effective = sampling.topK() <= model.vocab() ? sampling
                : new Sampling(model.vocab(), sampling.temperature(), sampling.seed());
        synchronized (model.lock()) {
            begin();
            for (int s = 0; s < batch; s++) {
                reserve(s, 1);
            }
            CudaGraph graph = sampledGraph(batch, effective);
            prepare(lastTokens);
            if (stepStale) {
                model.context().write(resources.step, new int[1]);
                stepStale = false;
            }
            graph.launch();
            for (int s = 0; s < batch; s++) {
                lengths[s]++;
            }
            int[] next = new int[batch];
            model.context().download(resources.tokens, 0, next, 0, batch);
            return next;
        }
    }

    /**
     * {@code steps} greedy decode steps of sequences {@code 0 … lastTokens.length−1} replayed back to back on the
     * device (each step's argmax feeds the next without a host round trip), each replay timed with events.
     * Returns the milliseconds of every step; {@code finalTokens} (if not null, length ≥ batch) receives the
     * tokens the last step chose. Every sequence grows by {@code steps}.
     */
    public float[] timeGreedySteps(int[] lastTokens, int steps, int[] finalTokens) {
        int batch = checkBatch(lastTokens);
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be positive, got " + steps);
        }
        synchronized (model.lock()) {
            begin();
            for (int s = 0; s < batch; s++) {
                reserve(s, steps);
            }
            CudaContext ctx = model.context();
            CudaGraph graph = graph(batch);
            prepare(lastTokens);
            float[] ms = new float[steps];
            long[] events = new long[steps + 1];
            try {
                for (int i = 0; i <= steps; i++) {
                    events[i] = CudaNative.eventCreate();
                }
                CudaNative.eventRecord(events[0], ctx.stream());
                for (int i = 0; i < steps; i++) {
                    graph.launch();
                    CudaNative.eventRecord(events[i + 1], ctx.stream());
                }
                for (int i = 0; i < steps; i++) {
                    ms[i] = CudaNative.eventElapsedMillis(events[i], events[i + 1]);
                }
            } finally {
                for (long e : events) {
                    if (e != 0) {
                        CudaNative.eventDestroy(e);
                    }
                }
            }
            for (int s = 0; s < batch; s++) {
                lengths[s] += steps;
            }
            if (finalTokens != null) {
                ctx.download(resources.tokens, 0, finalTokens, 0, batch);
            }
            ctx.synchronize();
            return ms;
        }
    }

    /**
     * Milliseconds of a prefill of {@code tokens} into sequence {@code seq} (events around the launches: the upload
     * of the token ids is included, the final logits download is not).
     */
    public float timePrefill(int seq, int[] tokens) {
        checkSeq(seq);
        checkTokens(tokens);
        synchronized (model.lock()) {
            begin();
            reserve(seq, tokens.length);
            CudaContext ctx = model.context();
            float ms = CudaModel.timeMillis(ctx, () -> model.prefill(resources.kv, seq, lengths[seq], tokens, 0));
            lengths[seq] += tokens.length;
            positionsStale = true;
            return ms;
        }
    }

    /**
     * Experts chosen in the last MoE layer of the last forward pass: {@code count[e]} assignments to expert e
     * (empty for a model without experts).
     */
    public int[] lastLayerExpertLoad() {
        synchronized (model.lock()) {
            begin();
            int[] offsets = model.lastExpertOffsets();
            if (offsets.length == 0) {
                return offsets;
            }
            int[] count = new int[offsets.length - 1];
            for (int e = 0; e < count.length; e++) {
                count[e] = offsets[e + 1] - offsets[e];
            }
            return count;
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private float[][] prefill(int seq, int[] tokens, int logitRows) {
        checkSeq(seq);
        checkTokens(tokens);
        synchronized (model.lock()) {
            begin();
            reserve(seq, tokens.length);
            float[][] out = model.prefill(resources.kv, seq, lengths[seq], tokens, logitRows);
            lengths[seq] += tokens.length;
            positionsStale = true;
            return out;
        }
    }

    /** Writes the batch's tokens (and the positions when stale), replays the graph; the lengths advance by one. */
    private void decodeStep(int[] lastTokens) {
        CudaGraph graph = graph(lastTokens.length);
        prepare(lastTokens);
        graph.launch();
        for (int s = 0; s < lastTokens.length; s++) {
            lengths[s]++;
        }
    }

    private void prepare(int[] lastTokens) {
        CudaContext ctx = model.context();
        ctx.write(resources.tokens, 0, lastTokens, 0, lastTokens.length);
        if (positionsStale) {
            ctx.write(resources.positions, lengths);
            positionsStale = false;
        }
    }

    /** The decode graph of {@code batch} rows, captured on first use. */
    private CudaGraph graph(int batch) {
        CudaGraph g = resources.graphs.get(batch);
        if (g == null) {
            CudaContext ctx = model.context();
            ctx.synchronize();
            g = ctx.captureGraph(() -> model.enqueueDecodeStep(batch, resources.tokens.address(),
                    resources.seqIds.address(), resources.positions.address(), resources.kv));
            resources.graphs.put(batch, g);
        }
        return g;
    }

    /**
     * The sampled decode graph of {@code batch} rows and {@code sampling}, captured on first use; the least recently
     * used one is destroyed first when {@value #MAX_SAMPLED_GRAPHS} are kept.
     */
    private CudaGraph sampledGraph(int batch, Sampling sampling) {
        SampledKey key = new SampledKey(batch, sampling);
        CudaGraph g = resources.sampledGraphs.get(key);
        if (g == null) {
            CudaContext ctx = model.context();
            ctx.synchronize(); // nothing in flight: an evicted graph can be destroyed
            if (resources.sampledGraphs.size() >= MAX_SAMPLED_GRAPHS) {
                Iterator<CudaGraph> eldest = resources.sampledGraphs.values().iterator();
                CudaGraph old = eldest.next();
                eldest.remove();
                old.close();
            }
            g = ctx.captureGraph(() -> model.enqueueSampledDecodeStep(batch, resources.tokens.address(),
                    resources.seqIds.address(), resources.positions.address(), resources.kv, sampling.topK(),
                    sampling.temperature(), sampling.seed(), resources.step.address()));
            resources.sampledGraphs.put(key, g);
        }
        return g;
    }

    private void begin() {
        if (closed) {
            throw new IllegalStateException("the CUDA session is closed");
        }
        model.ensureOpen();
        model.context().makeCurrent();
        model.drainReleased();
    }

    private void reserve(int seq, int more) {
        if (lengths[seq] + (long) more > maxPositions) {
            throw new ContextFullException(lengths[seq], more, maxPositions);
        }
    }

    private int checkBatch(int[] lastTokens) {
        if (lastTokens == null || lastTokens.length == 0 || lastTokens.length > maxSequences) {
            throw new IllegalArgumentException("a decode batch needs 1.." + maxSequences + " tokens, got "
                    + (lastTokens == null ? "null" : lastTokens.length));
        }
        for (int t : lastTokens) {
            checkToken(t);
        }
        return lastTokens.length;
    }

    private void checkTokens(int[] tokens) {
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("at least one token is needed");
        }
        for (int t : tokens) {
            checkToken(t);
        }
    }

    private void checkToken(int t) {
        int vocab = model.vocab();
        if (t < 0 || t >= vocab) {
            throw new IllegalArgumentException("token id " + t + " is outside the vocabulary 0.." + (vocab - 1));
        }
    }

    private void checkSeq(int seq) {
        if (seq < 0 || seq >= maxSequences) {
            throw new IllegalArgumentException("sequence " + seq + " outside 0.." + (maxSequences - 1));
        }
    }

    /** Frees the session's device memory (idempotent). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cleanable.clean(); // queues the freeing
        synchronized (model.lock()) {
            if (!model.isClosed()) {
                model.context().makeCurrent();
                model.drainReleased();
            }
        }
    }
}
