package io.rewoo4j.runtime.gptq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.rewoo4j.runtime.safetensors.DType;
import io.rewoo4j.runtime.safetensors.Float16;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/** {@link DenseLinear}'s scalar and Vector API paths against each other and against float64, at odd sizes. */
class DenseKernelTest {

    static List<GptqKernel> kernels() {
        List<GptqKernel> k = new ArrayList<>(List.of(GptqKernel.scalar()));
        if (GptqKernel.vector() != null) {
            k.add(GptqKernel.vector());
        }
        return k;
    }

    @Test
    void everyHalfWidensExactly() {
        ByteBuffer all = ByteBuffer.allocate(2 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < 1 << 16; h++) {
            all.putShort(2 * h, (short) h);
        }
        for (DType t : new DType[] {DType.F16, DType.BF16}) {
            for (GptqKernel k : kernels()) {
                float[] row = new float[1 << 16];
                k.widen(all, t, 0, row, 0, row.length);
                for (int h = 0; h < 1 << 16; h++) {
                    float want = t == DType.F16 ? Float16.toFloat((short) h) : Float16.bf16ToFloat((short) h);
                    assertThat(Float.floatToRawIntBits(row[h])).as("%s %s %04x", k.name(), t, h)
                            .isEqualTo(Float.floatToRawIntBits(want));
                }
            }
        }
    }

    /** Writes a one-tensor safetensors file {@code d.weight} [out, in] of random values. */
    static Path denseFile(Path dir, DType type, int out, int in, long seed) throws IOException {
        Random rnd = new Random(seed);
        int size = type == DType.F32 ? 4 : 2;
        ByteBuffer data = ByteBuffer.allocate(out * in * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out * in; i++) {
            float v = (float) rnd.nextGaussian() * 0.05f;
            switch (type) {
                case F32 -> data.putFloat(v);
                case BF16 -> data.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                default -> data.putShort(toHalf(v));
            }
        }
        String header = "{\"d.weight\":{\"dtype\":\"" + type + "\",\"shape\":[" + out + "," + in
                + "],\"data_offsets\":[0," + data.capacity() + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + h.length + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(h.length).put(h).put(data.array());
        Path p = dir.resolve(type + "-" + out + "x" + in + ".safetensors");
        Files.write(p, file.array());
        return p;
    }

    /** Float to binary16, round to nearest (normal range only: enough for test data). */
    static short toHalf(float v) {
        int b = Float.floatToRawIntBits(v);
        int sign = (b >>> 16) & 0x8000;
        int exp = ((b >>> 23) & 0xFF) - 127 + 15;
        if (exp <= 0) {
            return (short) sign;
        }
        int mant = (b & 0x7FFFFF) + 0x1000;
        if ((mant & 0x800000) != 0) {
            mant = 0;
            exp++;
        }
        return (short) (sign | exp << 10 | mant >>> 13);
    }

    @Test
    void oddSizesMatchAcrossKernelsAndRows(@TempDir Path dir) throws IOException {
        for (DType t : new DType[] {DType.F16, DType.BF16, DType.F32}) {
            for (int in : new int[] {127, 128, 129}) {
                int out = 67;
                try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(denseFile(dir, t, out, in, in))) {
                    DenseLinear serial = DenseLinear.load(ckpt, "d", KernelThreads.serial());
                    DenseLinear parallel = DenseLinear.load(ckpt, "d", KernelThreads.withThreads(2));
                    float[] w = new float[out * in];
                    GptqKernel.scalar().widen(ckpt.tensor("d.weight").bytes(), t, 0, w, 0, out * in);
                    int rows = 3;
                    float[] x = GptqKernelTest.input(rows * in, 11);
                    float[] exact = new float[rows * out];
                    for (int r = 0; r < rows; r++) {
                        for (int o = 0; o < out; o++) {
                            double s = 0;
                            for (int i = 0; i < in; i++) {
                                s += (double) w[o * in + i] * x[r * in + i];
                            }
                            exact[r * out + o] = (float) s;
                        }
                    }
                    for (GptqKernel k : kernels()) {
                        float[] y = new float[rows * out];
                        serial.matmul(x, rows, y, k);
                        assertThat(GptqLinearTest.relativeL2(y, exact)).as("%s %s in %d", k.name(), t, in)
                                .isLessThanOrEqualTo(GptqLinearTest.TOLERANCE);
                        float[] y2 = new float[rows * out];
                        parallel.matmul(x, rows, y2, k);
                        assertThat(y2).containsExactly(y);
                        float[] y1 = new float[out];
                        serial.matmul(java.util.Arrays.copyOfRange(x, in, 2 * in), 1, y1, k);
                        assertThat(y1).containsExactly(java.util.Arrays.copyOfRange(y, out, 2 * out));
                    }
                }
            }
        }
    }
}
