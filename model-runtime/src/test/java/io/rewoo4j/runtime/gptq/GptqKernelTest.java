package io.rewoo4j.runtime.gptq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast kernels (scalar and Vector API, over the repacked layout) against the reference product computed
 * straight from the checkpoint layout, on random layers at awkward sizes: inputs just below/at/above 128 (as far as
 * the packing allows: whole words for 2/4/8 bits, 32-input multiples for 3 bits), groups that do not start on
 * 32-input blocks, a single group, act-order permutations, outputs that do not fill a 16-lane tile, 1 and 3 rows.
 */
class GptqKernelTest {

    record Layer(int bits, int in, int out, int groupSize, boolean actOrder, boolean bias, long seed) {
        @Override
        public String toString() {
            return bits + "bit in" + in + " out" + out + " g" + groupSize + (actOrder ? " act" : "")
                    + (bias ? " bias" : "");
        }
    }

    static Stream<Layer> layers() {
        List<Layer> layers = new ArrayList<>();
        long seed = 1;
        int[][] inputs = {{2, 112, 128, 144}, {3, 96, 128, 160}, {4, 120, 128, 136}, {8, 124, 128, 132}};
        for (int[] bi : inputs) {
            int bits = bi[0];
            for (int k = 1; k < bi.length; k++) {
                int in = bi[k];
                for (int gs : new int[] {32, 40, 128, -1}) {
                    for (boolean act : new boolean[] {false, true}) {
                        int out = switch ((int) (seed % 4)) {
                            case 0 -> 17;
                            case 1 -> 64;
                            case 2 -> 33;
                            default -> 40;
                        };
                        layers.add(new Layer(bits, in, out, gs, act, seed % 3 == 0, seed++));
                    }
                }
            }
        }
        return layers.stream();
    }

    static GptqLinear build(Layer l, KernelThreads threads) {
        Random rnd = new Random(l.seed());
        int in = l.in();
        int out = l.out();
        int bits = l.bits();
        int gs = l.groupSize() == -1 ? in : l.groupSize();
        int groups = (in + gs - 1) / gs;
        IntBuffer qweight = ByteBuffer.allocateDirect(in * bits / 32 * out * 4).order(ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer();
        for (int i = 0; i < qweight.capacity(); i++) {
            qweight.put(i, rnd.nextInt());
        }
        // zeros: out·bits must be whole words; pad the zero rows generously and fill with random bits
        int zeroWords = Math.max(1, (out * bits + 31) / 32);
        IntBuffer qzeros = ByteBuffer.allocateDirect(groups * zeroWords * 4).order(ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer();
        for (int i = 0; i < qzeros.capacity(); i++) {
            qzeros.put(i, rnd.nextInt());
        }
        float[] scales = new float[groups * out];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 0.001f + rnd.nextFloat() * 0.02f;
        }
        int[] gIdx = new int[in];
        for (int i = 0; i < in; i++) {
            gIdx[i] = i / gs;
        }
        if (l.actOrder()) {
            for (int i = in - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = gIdx[i];
                gIdx[i] = gIdx[j];
                gIdx[j] = t;
            }
        }
        float[] bias = null;
        if (l.bias()) {
            bias = new float[out];
            for (int o = 0; o < out; o++) {
                bias[o] = (float) rnd.nextGaussian();
            }
        }
        return new GptqLinear(in, out, bits, qweight, qzeros, scales, gIdx, bias, (int) (l.seed() % 2), threads);
    }

    static float[] input(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("layers")
    void fastPathsMatchTheReference(Layer l) {
        GptqLinear linear = build(l, KernelThreads.serial());
        List<GptqKernel> kernels = new ArrayList<>(List.of(GptqKernel.scalar()));
        if (GptqKernel.vector() != null) {
            kernels.add(GptqKernel.vector());
        }
        for (int rows : new int[] {1, 3}) {
            float[] x = input(rows * l.in(), l.seed() * 31 + rows);
            float[] want = new float[rows * l.out()];
            linear.referenceMatmul(x, rows, want);
            float[] exact = exact(linear, x, rows);
            assertThat(GptqLinearTest.relativeL2(want, exact)).as("reference").isLessThanOrEqualTo(1e-6);
            for (GptqKernel k : kernels) {
                float[] y = new float[rows * l.out()];
                linear.matmul(x, rows, y, k);
                assertThat(GptqLinearTest.relativeL2(y, want)).as("%s, %d rows", k.name(), rows)
                        .isLessThanOrEqualTo(GptqLinearTest.TOLERANCE);
                assertThat(GptqLinearTest.relativeL2(y, exact)).as("%s, %d rows vs float64", k.name(), rows)
                        .isLessThanOrEqualTo(GptqLinearTest.TOLERANCE);
                // a batch equals the same rows one at a time, bit for bit (prefill then decode = whole prefill)
                float[] perRow = new float[rows * l.out()];
                for (int r = 0; r < rows; r++) {
                    float[] yr = new float[l.out()];
                    linear.matmul(java.util.Arrays.copyOfRange(x, r * l.in(), (r + 1) * l.in()), 1, yr, k);
                    System.arraycopy(yr, 0, perRow, r * l.out(), l.out());
                }
                assertThat(y).as("%s batch vs rows", k.name()).containsExactly(perRow);
            }
        }
    }

    /** x·Wᵀ + b in float64 from the dequantised weights. */
    static float[] exact(GptqLinear linear, float[] x, int rows) {
        float[] w = linear.dequantize();
        int in = linear.inFeatures();
        int out = linear.outFeatures();
        float[] y = new float[rows * out];
        float[] probe = new float[out];
        linear.referenceMatmul(new float[in], 1, probe); // = bias (or zeros)
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = probe[o];
                for (int i = 0; i < in; i++) {
                    s += (double) w[o * in + i] * x[r * in + i];
                }
                y[r * out + o] = (float) s;
            }
        }
        return y;
    }

    @Test
    void theDefaultPathIsTheVectorOneWhenTheModuleIsPresent() {
        assumeThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
        assertThat(GptqKernel.vector()).isNotNull();
        assertThat(GptqLinear.kernelName()).startsWith("vector");
    }

    @Test
    void bigLayerMatchesAcrossKernelsAndThreads() {
        // several tiles per thread chunk, an act-order layer and a sequential one, 4-bit g128
        KernelThreads two = KernelThreads.withThreads(2);
        for (boolean act : new boolean[] {false, true}) {
            Layer l = new Layer(4, 1024, 1000, 128, act, true, act ? 7 : 8);
            GptqLinear serial = build(l, KernelThreads.serial());
            GptqLinear parallel = build(l, two);
            float[] x = input(l.in(), 5);
            float[] want = new float[l.out()];
            serial.referenceMatmul(x, 1, want);
            for (GptqKernel k : new GptqKernel[] {GptqKernel.scalar(), GptqKernel.vector()}) {
                if (k == null) {
                    continue;
                }
                float[] a = new float[l.out()];
                float[] b = new float[l.out()];
                serial.matmul(x, 1, a, k);
                parallel.matmul(x, 1, b, k);
                assertThat(b).as(k.name()).containsExactly(a);
                assertThat(GptqLinearTest.relativeL2(a, want)).as(k.name())
                        .isLessThanOrEqualTo(GptqLinearTest.TOLERANCE);
            }
        }
    }
}
