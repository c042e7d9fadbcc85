package io.rewoo4j.runtime.cuda;

import java.lang.ref.Cleaner;
import java.util.HashMap;
import java.util.Map;

import io.rewoo4j.runtime.model.ContextFullException;

/**
 * Sequences decoded on a {@link CudaModel}: a device KV cache of {@code maxSequences} × {@code maxPositions}
 * positions per layer (fp16 [seq][pos][kv_heads][head_dim]), the length of each sequence, and for each decode batch
 * size a captured CUDA graph of one decode step: it reads the batch's tokens and positions from device memory,
 * writes the argmax tokens back over the tokens and advances the positions, so that replays chain on the device.
 *
 * <p>The single-sequence operations ({@link #logits}, {@link #logitsPerPosition}, {@link #next}, {@link #length},
 * {@link #reset}) work on sequence 0 with the semantics of {@code model.Session}; {@link #prefill(int, int[])} and
 * {@link #decodeGreedy} drive several sequences (batched decoding).
 *
 * <p>Not thread-safe (one thread drives a session); sessions of one model on different threads take turns on the
 * model's lock. {@link #close()} frees the device memory; a session dropped without closing is freed by a later
 * forward pass of the model (or when the model closes).
 */
public final class CudaSession implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaModel model;
    private final int maxPositions;
    private final int maxSequences;
    private final int[] lengths;
    private final Resources resources;
    private final Cleaner.Cleanable cleanable;
    /** Whether the device positions differ from {@link #lengths} (after a prefill or reset). */
    private boolean positionsStale = true;
    private boolean closed;

    /** Device memory of a session, freed on close or, for a dropped session, on the model's thread. */
    private static final class Resources implements Runnable {
        private final CudaModel model;
        final CudaModel.KvCache kv;
        final DeviceBuffer tokens;
        final DeviceBuffer seqIds;
        final DeviceBuffer positions;
        final Map<Integer, CudaGraph> graphs = new HashMap<>();

        Resources(CudaModel model, CudaModel.KvCache kv, DeviceBuffer tokens, DeviceBuffer seqIds,
                DeviceBuffer positions) {
            this.model = model;
            this.kv = kv;
            this.tokens = tokens;
            this.seqIds = seqIds;
            this.positions = positions;
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
            kv.close();
            tokens.close();
            seqIds.close();
            positions.close();
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
            try {
                tokens = ctx.allocateInts(maxSequences);
                seqIds = ctx.allocateInts(maxSequences);
                positions = ctx.allocateInts(maxSequences);
                int[] ids = new int[maxSequences];
                for (int s = 0; s < maxSequences; s++) {
                    ids[s] = s;
                }
                ctx.write(seqIds, ids);
                ctx.write(tokens, new int[maxSequences]);
                ctx.write(positions, new int[maxSequences]);
            } catch (RuntimeException e) {
                kv.close();
                for (DeviceBuffer b : new DeviceBuffer[] {tokens, seqIds, positions}) {
                    if (b != null) {
                        b.close();
                    }
                }
                throw e;
            }
            this.resources = new Resources(model, kv, tokens, seqIds, positions);
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

    /** Forgets every position of every sequence (the device memory is kept). */
    public void reset() {
        java.util.Arrays.fill(lengths, 0);
        positionsStale = true;
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

    /** Forgets sequence {@code seq}. */
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
