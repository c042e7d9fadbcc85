package io.rewoo4j.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A table of {@code rw::DeviceMatrix} records ({@code common/device_matrix.cuh}): 96 bytes each, little-endian,
 * laid out [experts][nmat]; one table per launch group of {@code rw::linear_forward} (a layer's q|k|v, its o_proj,
 * the experts' gate|up pairs, their down projections, the router, lm_head). The field offsets below are checked
 * against the native library's {@code structLayout()} when the library loads.
 */
public final class DeviceMatrixTable {
    /** {@code sizeof(rw::DeviceMatrix)}. */
    public static final int RECORD_BYTES = 96;
    static final int OFF_QWEIGHT = 0;
    static final int OFF_SCALE_ZERO = 8;
    static final int OFF_BLOCK_GROUP = 16;
    static final int OFF_SLOT_INPUT = 24;
    static final int OFF_DENSE = 32;
    static final int OFF_BIAS = 40;
    static final int OFF_RESERVED = 48;
    static final int OFF_KIND = 56;
    static final int OFF_BITS = 60;
    static final int OFF_IN = 64;
    static final int OFF_OUT = 68;
    static final int OFF_BLOCKS = 72;
    static final int OFF_GROUPS = 76;
    static final int OFF_Y_COL_OFFSET = 80;

    /** {@code rw::MATRIX_GPTQ}. */
    public static final int KIND_GPTQ = 0;
    /** {@code rw::MATRIX_DENSE}. */
    public static final int KIND_DENSE = 1;

    /** {@code rw::InputMode}. */
    public static final int INPUT_TOKEN = 0;
    public static final int INPUT_SILU_MUL = 1;
    /** {@code rw::OutputMode}. */
    public static final int OUTPUT_TASK = 0;
    public static final int OUTPUT_TOKEN_WEIGHTED = 1;

    /**
     * One record: device addresses (0 for null) and dimensions.
     *
     * @param yColOffset where the matrix's outputs start inside an output row
     */
    public record Entry(long qweight, long scaleZero, long blockGroup, long slotInput, long dense, long bias, int kind,
            int bits, int in, int out, int blocks, int groups, int yColOffset) {
    }

    /** Routing of a launch (Mixtral MoE): device addresses of the tables {@code moe_route} wrote. */
    public record Routing(int topk, long expertOffset, long sortedAssign, long assignWeight) {
    }

    private final DeviceBuffer buffer;
    private final int nmat;
    private final int experts;
    private final int kind;
    private final int bits;
    private final int in;
    private final int maxOut;
    private final long bytesRead;

    private DeviceMatrixTable(DeviceBuffer buffer, int nmat, int experts, int kind, int bits, int in, int maxOut,
            long bytesRead) {
        this.buffer = buffer;
        this.nmat = nmat;
        this.experts = experts;
        this.kind = kind;
        this.bits = bits;
        this.in = in;
        this.maxOut = maxOut;
        this.bytesRead = bytesRead;
    }

    /**
     * Uploads the table of {@code matrices} [experts][nmat], matrix {@code m} of every expert writing from output
     * column {@code yColOffsets[m]}. All must share kind, bits and in_features (one launch).
     */
    public static DeviceMatrixTable upload(CudaContext ctx, CudaLinear[][] matrices, int[] yColOffsets) {
        int experts = matrices.length;
        if (experts == 0 || matrices[0].length == 0 || yColOffsets.length != matrices[0].length) {
            throw new IllegalArgumentException("a table needs at least one expert of nmat matrices and nmat offsets");
        }
        int nmat = matrices[0].length;
        CudaLinear first = matrices[0][0];
        int maxOut = 0;
        long bytes = 0;
        List<Entry> entries = new java.util.ArrayList<>(experts * nmat);
        for (CudaLinear[] expert : matrices) {
            if (expert.length != nmat) {
                throw new IllegalArgumentException("every expert needs " + nmat + " matrices");
            }
            for (int m = 0; m < nmat; m++) {
                CudaLinear l = expert[m];
                if (l.kind() != first.kind() || l.bits() != first.bits() || l.inFeatures() != first.inFeatures()) {
                    throw new IllegalArgumentException("one launch needs one kind, bits and in_features: " + first
                            + " and " + l);
                }
                maxOut = Math.max(maxOut, l.outFeatures());
                bytes += l.bytesRead();
                entries.add(l.entry(yColOffsets[m]));
            }
        }
        DeviceBuffer buffer = ctx.upload(encode(entries), ElementType.BYTES);
        return new DeviceMatrixTable(buffer, nmat, experts, first.kind(), first.bits(), first.inFeatures(), maxOut,
                bytes);
    }

    /**
     * Enqueues {@code rw::linear_forward} on {@code ctx}'s stream (see {@code LinearBatch}): {@code rows} tokens
     * (tasks without routing), inputs {@code x} (F32, stride {@code ldx}), outputs accumulated into {@code y} (F32,
     * stride {@code ldy}, {@code yRows} rows allocated). {@code maxTasksPerExpert}: an upper bound of the tasks of
     * one expert ({@code rows} in every use here).
     */
    public void launch(CudaContext ctx, long x, int ldx, int rows, int inputMode, int outputMode, long y, int ldy,
            int yRows, Routing routing, int maxTasksPerExpert) {
        if (routing == null) {
            CudaNative.linear(ctx.stream(), buffer.address(), nmat, experts, kind, bits, in, maxOut, x, ldx, rows,
                    inputMode, outputMode, y, ldy, yRows, 1, 0L, 0L, 0L, maxTasksPerExpert);
        } else {
            CudaNative.linear(ctx.stream(), buffer.address(), nmat, experts, kind, bits, in, maxOut, x, ldx, rows,
                    inputMode, outputMode, y, ldy, yRows, routing.topk(), routing.expertOffset(),
                    routing.sortedAssign(), routing.assignWeight(), maxTasksPerExpert);
        }
    }

    public int nmat() {
        return nmat;
    }

    public int experts() {
        return experts;
    }

    public int inFeatures() {
        return in;
    }

    public int maxOut() {
        return maxOut;
    }

    /** Bytes of every matrix of the table (what one launch reads when every expert has work). */
    public long bytesRead() {
        return bytesRead;
    }

    /** The records in a new direct little-endian buffer, in the order given. */
    public static ByteBuffer encode(List<Entry> entries) {
        ByteBuffer b = ByteBuffer.allocateDirect(entries.size() * RECORD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < entries.size(); k++) {
            Entry e = entries.get(k);
            int base = k * RECORD_BYTES;
            b.putLong(base + OFF_QWEIGHT, e.qweight());
            b.putLong(base + OFF_SCALE_ZERO, e.scaleZero());
            b.putLong(base + OFF_BLOCK_GROUP, e.blockGroup());
            b.putLong(base + OFF_SLOT_INPUT, e.slotInput());
            b.putLong(base + OFF_DENSE, e.dense());
            b.putLong(base + OFF_BIAS, e.bias());
            b.putLong(base + OFF_RESERVED, 0L);
            b.putInt(base + OFF_KIND, e.kind());
            b.putInt(base + OFF_BITS, e.bits());
            b.putInt(base + OFF_IN, e.in());
            b.putInt(base + OFF_OUT, e.out());
            b.putInt(base + OFF_BLOCKS, e.blocks());
            b.putInt(base + OFF_GROUPS, e.groups());
            b.putInt(base + OFF_Y_COL_OFFSET, e.yColOffset());
            // pad[3] stays zero (allocateDirect zero-fills)
        }
        return b;
    }

    /** Record {@code index} of an encoded table (tests and diagnostics). */
    public static Entry decode(ByteBuffer table, int index) {
        ByteBuffer b = table.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = index * RECORD_BYTES;
        return new Entry(b.getLong(base + OFF_QWEIGHT), b.getLong(base + OFF_SCALE_ZERO),
                b.getLong(base + OFF_BLOCK_GROUP), b.getLong(base + OFF_SLOT_INPUT), b.getLong(base + OFF_DENSE),
                b.getLong(base + OFF_BIAS), b.getInt(base + OFF_KIND), b.getInt(base + OFF_BITS),
                b.getInt(base + OFF_IN), b.getInt(base + OFF_OUT), b.getInt(base + OFF_BLOCKS),
                b.getInt(base + OFF_GROUPS), b.getInt(base + OFF_Y_COL_OFFSET));
    }

    /** Throws when the native {@code [sizeof, offsetof(kind), offsetof(y_col_offset)]} differs from this class. */
    public static void checkNativeLayout(int[] layout) {
        int[] mine = {RECORD_BYTES, OFF_KIND, OFF_Y_COL_OFFSET};
        if (!Arrays.equals(layout, mine)) {
            throw new IllegalStateException("rw::DeviceMatrix layout " + Arrays.toString(layout)
                    + " (size, offset of kind, offset of y_col_offset) differs from the Java side's "
                    + Arrays.toString(mine));
        }
    }
}
