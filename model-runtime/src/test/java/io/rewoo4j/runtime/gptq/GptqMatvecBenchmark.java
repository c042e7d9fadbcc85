package io.rewoo4j.runtime.gptq;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Random;

/**
 * Micro-benchmark: GPTQ g128 matvec (4-bit with and without act-order, 8-bit, 3-bit) on a Mixtral expert-sized
 * layer (in 4096 → out 14336), in GB/s of packed weights read, against this machine's memory-copy bandwidth measured
 * in the same process; the default kernel (Vector API where {@code jdk.incubator.vector} is present) and the scalar
 * path, 2 threads and 1.
 *
 * <pre>
 * ./mvnw -q -B -o -pl model-runtime test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx4g --add-modules jdk.incubator.vector -cp model-runtime/target/classes:model-runtime/target/test-classes:$(cat model-runtime/target/cp.txt) \
 *     io.rewoo4j.runtime.gptq.GptqMatvecBenchmark [seconds-per-measurement]
 * </pre>
 * Results and machine: docs/benchmarks/runtime-cpu.md.
 */
public final class GptqMatvecBenchmark {
    static final int IN = 4096;
    static final int OUT = 14336;
    static final int GROUP = 128;

    private GptqMatvecBenchmark() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        int threads = KernelThreads.shared().parallelism();
        System.out.printf("cpus=%d threads=%d java=%s%n", Runtime.getRuntime().availableProcessors(), threads,
                System.getProperty("java.version"));

        double copy1 = copyBandwidth(1, seconds);
        double copyN = copyBandwidth(threads, seconds);
        System.out.printf("memory copy, 1 GiB direct buffers: 1 thread %.2f GB/s, %d threads %.2f GB/s "
                + "(bytes copied per second; DRAM traffic is twice that)%n", copy1, threads, copyN);

        GptqKernel best = GptqKernel.best();
        KernelThreads pool = KernelThreads.shared();
        System.out.println("default kernel: " + best.name());
        report("4-bit g128, " + best.name() + ", " + threads + " threads", layers(4, false, pool), best, seconds, copyN);
        report("4-bit g128, " + best.name() + ", 1 thread", layers(4, false, KernelThreads.serial()), best, seconds,
                copy1);
        report("4-bit g128 act-order, " + best.name() + ", " + threads + " threads", layers(4, true, pool), best,
                seconds, copyN);
        report("8-bit g128, " + best.name() + ", " + threads + " threads", layers(8, false, pool), best, seconds, copyN);
        report("3-bit g128, " + best.name() + ", " + threads + " threads", layers(3, false, pool), best, seconds, copyN);
        dense(best, pool, seconds, copyN, threads);
        if (best != GptqKernel.scalar()) {
            GptqKernel scalar = GptqKernel.scalar();
            dense(scalar, pool, seconds, copyN, threads);
            report("4-bit g128, scalar, " + threads + " threads", layers(4, false, pool), scalar, seconds, copyN);
            report("4-bit g128, scalar, 1 thread", layers(4, false, KernelThreads.serial()), scalar, seconds, copy1);
        }
    }

    /**
     * Enough distinct copies of the layer (different random weights) to total at least 3× the 32 MiB L3, used in
     * turn, so every product streams its weights from DRAM rather than from cache.
     */
    /** F16 dense layer of the same shape (117 MB: bigger than L3), e.g. the router / lm_head kind of layer. */
    static void dense(GptqKernel kernel, KernelThreads pool, double seconds, double copyGbs, int threads) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dense-bench");
            java.nio.file.Path file = DenseKernelTest.denseFile(dir, io.rewoo4j.runtime.safetensors.DType.F16, OUT, IN,
                    1);
            try (var ckpt = io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint.open(file)) {
                DenseLinear d = DenseLinear.load(ckpt, "d", pool);
                float[] x = new float[IN];
                java.util.Arrays.fill(x, 0.5f);
                float[] y = new float[OUT];
                long end = System.nanoTime() + (long) (seconds * 0.5e9);
                while (System.nanoTime() < end) {
                    d.matmul(x, 1, y, kernel);
                }
                int n = 0;
                long start = System.nanoTime();
                long now;
                do {
                    d.matmul(x, 1, y, kernel);
                    n++;
                    now = System.nanoTime();
                } while (now - start < seconds * 1e9);
                double perCall = (now - start) / 1e9 / n;
                double gbs = d.weightBytes() / perCall / 1e9;
                System.out.printf("dense F16, %s, %d threads: %.3f ms/matvec, %.2f GB/s of weights (%.0f%% of copy "
                        + "bandwidth)%n", kernel.name(), threads, perCall * 1e3, gbs, 100 * gbs / copyGbs);
            }
            java.nio.file.Files.delete(file);
            java.nio.file.Files.delete(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static GptqLinear[] layers(int bits, boolean actOrder, KernelThreads threads) {
        long bytes = (long) IN * OUT * bits / 8;
        int n = (int) Math.max(2, (96L << 20) / bytes + 1);
        GptqLinear[] layers = new GptqLinear[n];
        for (int k = 0; k < n; k++) {
            layers[k] = layer(bits, actOrder, threads, 42 + k);
        }
        return layers;
    }

    static GptqLinear layer(int bits, boolean actOrder, KernelThreads threads, long seed) {
        Random rnd = new Random(seed);
        int rows = IN * bits / 32;
        IntBuffer qweight = ByteBuffer.allocateDirect(rows * OUT * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (int i = 0; i < rows * OUT; i++) {
            qweight.put(i, rnd.nextInt());
        }
        int groups = IN / GROUP;
        IntBuffer qzeros = ByteBuffer.allocateDirect(groups * OUT * bits / 8).order(ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer();
        for (int i = 0; i < qzeros.capacity(); i++) {
            qzeros.put(i, 0x77777777);
        }
        float[] scales = new float[groups * OUT];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 0.001f + rnd.nextFloat() * 0.01f;
        }
        int[] gIdx = new int[IN];
        for (int i = 0; i < IN; i++) {
            gIdx[i] = i / GROUP;
        }
        if (actOrder) {
            for (int i = IN - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = gIdx[i];
                gIdx[i] = gIdx[j];
                gIdx[j] = t;
            }
        }
        return new GptqLinear(IN, OUT, bits, qweight, qzeros, scales, gIdx, null, 1, threads);
    }

    static void report(String label, GptqLinear[] layers, GptqKernel kernel, double seconds, double copyGbs) {
        float[] x = new float[IN];
        Random rnd = new Random(7);
        for (int i = 0; i < IN; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] y = new float[OUT];
        long deadline = System.nanoTime() + (long) (seconds * 0.5e9);
        int next = 0;
        while (System.nanoTime() < deadline) {
            layers[next++ % layers.length].matmul(x, 1, y, kernel);
        }
        int iterations = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            layers[next++ % layers.length].matmul(x, 1, y, kernel);
            iterations++;
            now = System.nanoTime();
        } while (now < end);
        double perCall = (now - start) / 1e9 / iterations;
        double gbs = layers[0].packedWeightBytes() / perCall / 1e9;
        System.out.printf("%s (%d layers in turn): %.3f ms/matvec, %.2f GB/s of packed weights (%.0f%% of copy bandwidth), y[0]=%.4f%n",
                label, layers.length, perCall * 1e3, gbs, 100 * gbs / copyGbs, y[0]);
    }

    /** Bytes copied per second between two 1 GiB direct buffers, split over {@code threads}. */
    public static double copyBandwidth(int threads, double seconds) {
        int size = 1 << 30;
        ByteBuffer src = ByteBuffer.allocateDirect(size);
        ByteBuffer dst = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i += 4096) {
            src.put(i, (byte) i);
            dst.put(i, (byte) 0);
        }
        KernelThreads pool = KernelThreads.withThreads(threads);
        int chunk = size / threads;
        Runnable copy = () -> pool.forEachTile(threads, t -> {
            ByteBuffer s = src.duplicate();
            s.position(t * chunk).limit((t + 1) * chunk);
            ByteBuffer d = dst.duplicate();
            d.position(t * chunk);
            d.put(s);
        });
        copy.run();
        int n = 0;
        long start = System.nanoTime();
        long now;
        do {
            copy.run();
            n++;
            now = System.nanoTime();
        } while (now - start < seconds * 1e9);
        return (double) size * n / ((now - start) / 1e9) / 1e9;
    }
}
