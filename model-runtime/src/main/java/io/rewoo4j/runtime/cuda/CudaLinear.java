package io.rewoo4j.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.DType;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/**
 * One linear layer {@code y = x·Wᵀ + b} in device memory: the GPTQ layout of {@link CudaGptqLayout} (qweight,
 * scale_zero, block_group, slot_input) or a dense fp16 [out][in] matrix; optional fp32 bias. It is run through a
 * {@link DeviceMatrixTable} (one record per matrix of a launch). Its buffers belong to the {@link CudaContext} it was
 * uploaded with and are freed with it.
 */
public final class CudaLinear {
    private final int kind;
    private final int bits;
    private final int in;
    private final int out;
    private final int blocks;
    private final int groups;
    private final DeviceBuffer qweight;
    private final DeviceBuffer scaleZero;
    private final SlotTables slots;
    private final DeviceBuffer dense;
    private final DeviceBuffer bias;

    private CudaLinear(int kind, int bits, int in, int out, int blocks, int groups, DeviceBuffer qweight,
            DeviceBuffer scaleZero, SlotTables slots, DeviceBuffer dense, DeviceBuffer bias) {
        this.kind = kind;
        this.bits = bits;
        this.in = in;
        this.out = out;
        this.blocks = blocks;
        this.groups = groups;
        this.qweight = qweight;
        this.scaleZero = scaleZero;
        this.slots = slots;
        this.dense = dense;
        this.bias = bias;
    }

    /**
     * The slot tables of one GPTQ input ordering on the device: {@code block_group} [blocks] and
     * {@code slot_input} [blocks·32]. Layers with the same ordering may share them (synthetic models do).
     */
    public static final class SlotTables {
        private final int in;
        private final int groups;
        private final int blocks;
        private final DeviceBuffer blockGroup;
        private final DeviceBuffer slotInput;

        private SlotTables(int in, int groups, int blocks, DeviceBuffer blockGroup, DeviceBuffer slotInput) {
            this.in = in;
            this.groups = groups;
            this.blocks = blocks;
            this.blockGroup = blockGroup;
            this.slotInput = slotInput;
        }

        /** Uploads the ordering of {@code gIdx} (group of each input; groups {@code 0 … groups−1}). */
        public static SlotTables upload(CudaContext ctx, int[] gIdx, int groups) {
            int[][] order = CudaGptqLayout.sortSlots(gIdx, groups);
            return new SlotTables(gIdx.length, groups, order[1].length, ctx.upload(order[1]), ctx.upload(order[0]));
        }

        /**
         * A random act-order ordering of {@code in} inputs in groups of {@code groupSize} (−1: one group), as GPTQ's
         * act-order produces it: a random permutation {@code perm} with {@code g_idx[perm[j]] = j / groupSize}.
         */
        public static SlotTables randomActOrder(CudaContext ctx, int in, int groupSize, long seed) {
            int gs = groupSize == -1 ? in : groupSize;
            int[] perm = new int[in];
            for (int i = 0; i < in; i++) {
                perm[i] = i;
            }
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = in - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            int[] gIdx = new int[in];
            for (int j = 0; j < in; j++) {
                gIdx[perm[j]] = j / gs;
            }
            return upload(ctx, gIdx, CudaGptqLayout.groupsFor(in, groupSize));
        }

        public int inFeatures() {
            return in;
        }

        public int groups() {
            return groups;
        }

        public int blocks() {
            return blocks;
        }

        long deviceBytes() {
            return blockGroup.bytes() + slotInput.bytes();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Making layers
    // ---------------------------------------------------------------------------------------------------------

    /** Uploads a repacked GPTQ layer. */
    public static CudaLinear upload(CudaContext ctx, CudaGptqLayout layout) {
        requireGptqInputs(layout.inFeatures());
        DeviceBuffer qweight = ctx.upload(layout.qweight(), ElementType.U32);
        DeviceBuffer scaleZero = ctx.upload(layout.scaleZero(), ElementType.F16);
        DeviceBuffer blockGroup = ctx.upload(layout.blockGroupBytes(), ElementType.I32);
        DeviceBuffer slotInput = ctx.upload(layout.slotInputBytes(), ElementType.I32);
        DeviceBuffer bias = layout.hasBias() ? ctx.upload(layout.bias()) : null;
        SlotTables slots = new SlotTables(layout.inFeatures(), layout.groups(), layout.blocks(), blockGroup,
                slotInput);
        return new CudaLinear(DeviceMatrixTable.KIND_GPTQ, layout.bits(), layout.inFeatures(), layout.outFeatures(),
                layout.blocks(), layout.groups(), qweight, scaleZero, slots, null, bias);
    }

    /**
     * Loads the layer {@code prefix} by what the checkpoint holds, as {@code Linear.load} does: {@code .qweight} →
     * GPTQ (repacked on {@code threads} into {@code staging}), {@code .weight} → dense fp16 (F16 uploaded straight
     * from the mapped file, BF16/F32 converted); optional {@code .bias}.
     */
    public static CudaLinear load(CudaContext ctx, SafetensorsCheckpoint ckpt, String prefix,
            QuantizationConfig quantization, KernelThreads threads, Staging staging) {
        if (ckpt.contains(prefix + ".qweight")) {
            if (quantization == null) {
                throw new CorruptCheckpointException(ckpt.directory(), prefix + ".qweight",
                        "GPTQ tensors found but the model has no quantization config");
            }
            staging.reset();
            CudaGptqLayout layout = CudaGptqLayout.fromCheckpoint(ckpt, prefix, quantization, threads, staging::take);
            if (layout.inFeatures() % 32 != 0) {
                throw new CorruptCheckpointException(ckpt.directory(), prefix + ".qweight", "in_features "
                        + layout.inFeatures() + " is not a multiple of 32, which the CUDA GPTQ kernels require");
            }
            CudaLinear l = upload(ctx, layout);
            staging.reset();
            return l;
        }
        if (ckpt.contains(prefix + ".weight")) {
            TensorView w = ckpt.tensor(prefix + ".weight");
            if (w.rank() != 2 || !w.dtype().isReadableAsFloat()) {
                throw new CorruptCheckpointException(w.file(), w.name(), "a dense linear weight must be a 2-D "
                        + "F16/BF16/F32 tensor [out, in], got " + w.dtype() + Arrays.toString(w.shape()));
            }
            TensorView b = null;
            if (ckpt.contains(prefix + ".bias")) {
                b = ckpt.tensor(prefix + ".bias");
                if (b.elementCount() != w.dim(0) || !b.dtype().isReadableAsFloat()) {
                    throw new CorruptCheckpointException(b.file(), b.name(), "bias must be a float vector of "
                            + w.dim(0) + " elements, got " + b.dtype() + Arrays.toString(b.shape()));
                }
            }
            return dense(ctx, w, b, staging);
        }
        throw new CorruptCheckpointException(ckpt.directory(), prefix,
                "no linear layer here: neither " + prefix + ".qweight nor " + prefix + ".weight exists");
    }

    /** Uploads a dense [out, in] F16/BF16/F32 weight as fp16, and its bias (or null) as fp32. */
    public static CudaLinear dense(CudaContext ctx, TensorView weight, TensorView bias, Staging staging) {
        int out = weight.dim(0);
        int in = weight.dim(1);
        requireDenseInputs(in);
        DeviceBuffer w = uploadHalfs(ctx, weight, staging);
        DeviceBuffer b = bias == null ? null : ctx.upload(bias.toFloatArray());
        return new CudaLinear(DeviceMatrixTable.KIND_DENSE, 0, in, out, 0, 0, null, null, null, w, b);
    }

    /** A dense layer over an existing fp16 [out][in] buffer (e.g. lm_head tied to the embeddings); no bias. */
    public static CudaLinear denseView(DeviceBuffer halfs, int in, int out) {
        if (halfs.type() != ElementType.F16 || halfs.elementCount() < (long) in * out) {
            throw new IllegalArgumentException(halfs + " does not hold an fp16 [" + out + "][" + in + "] matrix");
        }
        requireDenseInputs(in);
        return new CudaLinear(DeviceMatrixTable.KIND_DENSE, 0, in, out, 0, 0, null, null, null, halfs, null);
    }

    /**
     * A GPTQ layer with random contents generated on the device (benchmarks): qweight uniformly random bits,
     * scales uniform in [{@code scaleLo}, {@code scaleHi}), zeros uniform in [0, {@code maxZero}], input ordering
     * {@code slots}. Nothing is built on the host.
     */
    public static CudaLinear randomGptq(CudaContext ctx, SlotTables slots, int out, int bits, float scaleLo,
            float scaleHi, int maxZero, long seed) {
        requireGptqInputs(slots.in);
        long words = (long) slots.blocks * out * bits;
        long pairs = (long) slots.groups * out;
        DeviceBuffer qweight = ctx.allocate(words * 4, ElementType.U32);
        DeviceBuffer scaleZero = ctx.allocateHalfs(pairs * 2);
        CudaNative.fillRandomBits(ctx.stream(), qweight.address(), words, seed);
        CudaNative.fillRandomScaleZero(ctx.stream(), scaleZero.address(), pairs, scaleLo, scaleHi, maxZero,
                seed ^ 0x9E3779B97F4A7C15L);
        return new CudaLinear(DeviceMatrixTable.KIND_GPTQ, bits, slots.in, out, slots.blocks, slots.groups, qweight,
                scaleZero, slots, null, null);
    }

    /** A dense fp16 [out][in] layer with values uniform in [−amplitude, amplitude) generated on the device. */
    public static CudaLinear randomDense(CudaContext ctx, int in, int out, float amplitude, long seed) {
        requireDenseInputs(in);
        DeviceBuffer w = ctx.allocateHalfs((long) in * out);
        CudaNative.fillRandomHalf(ctx.stream(), w.address(), (long) in * out, -amplitude, amplitude, seed);
        return new CudaLinear(DeviceMatrixTable.KIND_DENSE, 0, in, out, 0, 0, null, null, null, w, null);
    }

    /** A new fp16 buffer of {@code n} values uniform in [{@code lo}, {@code hi}) generated on the device. */
    public static DeviceBuffer randomHalfs(CudaContext ctx, long n, float lo, float hi, long seed) {
        DeviceBuffer b = ctx.allocateHalfs(n);
        CudaNative.fillRandomHalf(ctx.stream(), b.address(), n, lo, hi, seed);
        return b;
    }

    private static void requireGptqInputs(int in) {
        if (in % 32 != 0) {
            throw new IllegalArgumentException("in_features " + in
                    + " is not a multiple of 32, which the CUDA GPTQ kernels require");
        }
    }

    private static void requireDenseInputs(int in) {
        if (in % 8 != 0) {
            throw new IllegalArgumentException("in_features " + in
                    + " is not a multiple of 8, which the CUDA dense kernels require");
        }
    }

    /**
     * A float tensor as fp16 on the device: F16 straight from the mapped file, BF16 and F32 rounded to nearest
     * even (values beyond ±65504 become infinite) through {@code staging}.
     */
    public static DeviceBuffer uploadHalfs(CudaContext ctx, TensorView t, Staging staging) {
        long n = t.elementCount();
        if (t.dtype() == DType.F16) {
            return ctx.upload(t.bytes(), ElementType.F16);
        }
        if (!t.dtype().isReadableAsFloat()) {
            throw new CorruptCheckpointException(t.file(), t.name(), "expected a float tensor, got " + t.dtype());
        }
        DeviceBuffer buffer = ctx.allocateHalfs(Math.max(1, n));
        ctx.makeCurrent();
        // in pieces of at most 64 Mi elements, so that the staging area stays bounded
        long piece = 1L << 26;
        for (long start = 0; start < n; start += piece) {
            int count = (int) Math.min(piece, n - start);
            staging.reset();
            ByteBuffer b = staging.take(count * 2);
            for (int k = 0; k < count; k++) {
                b.putShort(2 * k, CudaGptqLayout.floatToHalf(t.getFloat(start + k)));
            }
            CudaNative.copyToDevice(buffer.slice(start), b, 2L * count);
        }
        staging.reset();
        return buffer;
    }

    /**
     * A reusable direct host buffer for repacks and conversions: {@link #take} hands out consecutive slices,
     * {@link #reset} makes the whole area available again; it grows (by replacement) when a request does not fit.
     */
    public static final class Staging {
        private ByteBuffer area;
        private int used;

        public Staging(int initialBytes) {
            this.area = ByteBuffer.allocateDirect(Math.max(1024, initialBytes)).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** A slice of {@code bytes} bytes, little-endian, valid until the next {@link #reset}. */
        public synchronized ByteBuffer take(int bytes) {
            int aligned = (used + 255) & ~255;
            if ((long) aligned + bytes > area.capacity()) {
                if (used > 0) {
                    // slices already handed out keep the old area alive; start a new, larger one
                    aligned = 0;
                }
                long want = Math.max((long) area.capacity() * 2, (long) bytes + 256);
                area = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, want))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer s = area.duplicate();
            s.clear().position(aligned).limit(aligned + bytes);
            used = aligned + bytes;
            return s.slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        public synchronized void reset() {
            used = 0;
        }

        public synchronized int capacity() {
            return area.capacity();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Accessors
    // ---------------------------------------------------------------------------------------------------------

    /** Its record for a {@link DeviceMatrixTable}, outputs starting at column {@code yColOffset}. */
    public DeviceMatrixTable.Entry entry(int yColOffset) {
        if (kind == DeviceMatrixTable.KIND_GPTQ) {
            return new DeviceMatrixTable.Entry(qweight.address(), scaleZero.address(), slots.blockGroup.address(),
                    slots.slotInput.address(), 0L, bias == null ? 0L : bias.address(), kind, bits, in, out, blocks,
                    groups, yColOffset);
        }
        return new DeviceMatrixTable.Entry(0L, 0L, 0L, 0L, dense.address(), bias == null ? 0L : bias.address(), kind,
                0, in, out, 0, 0, yColOffset);
    }

    public boolean isGptq() {
        return kind == DeviceMatrixTable.KIND_GPTQ;
    }

    /** {@link DeviceMatrixTable#KIND_GPTQ} or {@link DeviceMatrixTable#KIND_DENSE}. */
    public int kind() {
        return kind;
    }

    /** GPTQ bits (0 for dense). */
    public int bits() {
        return bits;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public int blocks() {
        return blocks;
    }

    public int groups() {
        return groups;
    }

    public boolean hasBias() {
        return bias != null;
    }

    /**
     * Bytes one product streams from device memory: packed weights and scale_zero (GPTQ) or the fp16 matrix, the
     * slot tables and the bias.
     */
    public long bytesRead() {
        long b = bias == null ? 0 : bias.bytes();
        if (kind == DeviceMatrixTable.KIND_GPTQ) {
            return qweight.bytes() + scaleZero.bytes() + slots.deviceBytes() + b;
        }
        return 2L * in * out + b;
    }

    @Override
    public String toString() {
        return (kind == DeviceMatrixTable.KIND_GPTQ ? "GPTQ " + bits + "-bit" : "dense fp16") + " " + in + " -> "
                + out + (bias == null ? "" : " +bias");
    }
}
