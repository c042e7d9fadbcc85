package io.rewoo4j.runtime.gptq;

import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.DType;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;

/**
 * A linear layer with F16, BF16 or F32 weights [out, in], read in place from the mapped checkpoint (the router,
 * {@code lm_head}, and any projection a checkpoint kept unquantised). Each weight row is widened to float once per
 * call and reused for every input row.
 */
public final class DenseLinear implements Linear {
    private static final int TILE = 64;

    private final TensorView weight;
    private final float[] bias;
    private final int in;
    private final int out;
    private final KernelThreads threads;

    DenseLinear(TensorView weight, float[] bias, KernelThreads threads) {
        this.weight = weight;
        this.bias = bias;
        this.out = weight.dim(0);
        this.in = weight.dim(1);
        this.threads = threads;
    }

    public static DenseLinear load(SafetensorsCheckpoint checkpoint, String prefix, KernelThreads threads) {
        TensorView w = checkpoint.tensor(prefix + ".weight");
        if (w.rank() != 2 || !w.dtype().isReadableAsFloat()) {
            throw new CorruptCheckpointException(w.file(), w.name(), "a dense linear weight must be a 2-D "
                    + "F16/BF16/F32 tensor [out, in], got " + w.dtype() + java.util.Arrays.toString(w.shape()));
        }
        float[] bias = null;
        if (checkpoint.contains(prefix + ".bias")) {
            TensorView b = checkpoint.tensor(prefix + ".bias");
            if (b.elementCount() != w.dim(0) || !b.dtype().isReadableAsFloat()) {
                throw new CorruptCheckpointException(b.file(), b.name(), "bias must be a float vector of "
                        + w.dim(0) + " elements, got " + b.dtype() + java.util.Arrays.toString(b.shape()));
            }
            bias = b.toFloatArray();
        }
        return new DenseLinear(w, bias, threads);
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public long weightBytes() {
        return (long) in * out * weight.dtype().byteSize();
    }

    @Override
    public void matmul(float[] x, int rows, float[] y) {
        matmul(x, rows, y, GptqKernel.best());
    }

    /**
     * Each weight row is widened once (vectorised F16/BF16 → float where the Vector API is present) and dotted with
     * every input row; the same code for one row and many, so batched and row-by-row results are bit-identical.
     */
    void matmul(float[] x, int rows, float[] y, GptqKernel kernel) {
        if (x.length < (long) rows * in || y.length < (long) rows * out) {
            throw new IllegalArgumentException("x needs " + rows * in + " and out " + rows * out + " floats");
        }
        int tiles = (out + TILE - 1) / TILE;
        java.nio.ByteBuffer bytes = weight.bytes();
        DType type = weight.dtype();
        threads.forEachTile(tiles, tile -> {
            float[] row = new float[in];
            int o1 = Math.min(out, (tile + 1) * TILE);
            for (int o = tile * TILE; o < o1; o++) {
                kernel.widen(bytes, type, o * in, row, 0, in);
                float b = bias == null ? 0f : bias[o];
                for (int r = 0; r < rows; r++) {
                    y[r * out + o] = kernel.dot(row, x, r * in, in) + b;
                }
            }
        });
    }
}
