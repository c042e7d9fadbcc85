package io.rewoo4j.runtime.gptq;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Random;

/**
 * Micro-benchmark: GPTQ 4-bit g128 matvec on a Mixtral expert-sized layer (in 4096 → out 14336), in GB/s of packed
 * weights read, against this machine's memory-copy bandwidth measured in the same process.
 *
 * <pre>
 * ./mvnw -q -B -o -pl model-runtime test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx4g -cp model-runtime/target/classes:model-runtime/target/test-classes:$(cat model-runtime/target/cp.txt) \
 *     io.rewoo4j.runtime.gptq.GptqMatvecBenchmark [seconds-per-measurement]
 * </pre>
 * Results and machine: docs/benchmarks/runtime-cpu.md.
 */
public final class GptqMatvecBenchmark {
    static final int IN = 4096;
    static final int OUT = 14336;
    static final int BITS = 4;
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

        GptqLinear grouped = layer(false, KernelThreads.shared());
        GptqLinear actOrder = layer(true, KernelThreads.shared());
        GptqLinear groupedSerial = layer(false, KernelThreads.serial());
        report("4-bit g128, grouped kernel, " + threads + " threads", grouped, seconds, copyN);
        report("4-bit g128, grouped kernel, 1 thread", groupedSerial, seconds, copy1);
        report("4-bit g128 act-order, general kernel, " + threads + " threads", actOrder, seconds, copyN);
    }

    static GptqLinear layer(boolean actOrder, KernelThreads threads) {
        Random rnd = new Random(42);
        int rows = IN * BITS / 32;
        IntBuffer qweight = ByteBuffer.allocateDirect(rows * OUT * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (int i = 0; i < rows * OUT; i++) {
            qweight.put(i, rnd.nextInt());
        }
        int groups = IN / GROUP;
        IntBuffer qzeros = ByteBuffer.allocateDirect(groups * OUT * BITS / 8).order(ByteOrder.LITTLE_ENDIAN)
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
        return new GptqLinear(IN, OUT, BITS, qweight, qzeros, scales, gIdx, null, 1, threads);
    }

    static void report(String label, GptqLinear linear, double seconds, double copyGbs) {
        float[] x = new float[IN];
        Random rnd = new Random(7);
        for (int i = 0; i < IN; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] y = new float[OUT];
        long deadline = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < deadline) {
            linear.matvec(x, y);
        }
        int iterations = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            linear.matvec(x, y);
            iterations++;
            now = System.nanoTime();
        } while (now < end);
        double perCall = (now - start) / 1e9 / iterations;
        double gbs = linear.packedWeightBytes() / perCall / 1e9;
        System.out.printf("%s: %.3f ms/matvec, %.2f GB/s of packed weights (%.0f%% of copy bandwidth), y[0]=%.4f%n",
                label, perCall * 1e3, gbs, 100 * gbs / copyGbs, y[0]);
    }

    /** Bytes copied per second between two 1 GiB direct buffers, split over {@code threads}. */
    static double copyBandwidth(int threads, double seconds) {
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
