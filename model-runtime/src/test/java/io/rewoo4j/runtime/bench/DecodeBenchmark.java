package io.rewoo4j.runtime.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.DenseLinear;
import io.rewoo4j.runtime.gptq.GptqLinear;
import io.rewoo4j.runtime.gptq.GptqMatvecBenchmark;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.gptq.Linear;
import io.rewoo4j.runtime.model.LoadedModel;
import io.rewoo4j.runtime.model.Session;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * Decode benchmark on a synthetic ~500M-parameter GPTQ 4-bit model: writes a Llama-architecture checkpoint (every
 * projection GPTQ 4-bit g128 act-order with random packed values; fp16 embeddings, norms and lm_head) to a temp
 * folder with its own safetensors writer, loads it with {@link LoadedModel#load}, prefills a short prompt and times
 * greedy decoding only. Reports tokens/s, GB/s of packed weights read per decoded token, the same process's
 * memory-copy bandwidth (the method of {@code GptqMatvecBenchmark}) and the fraction; then a breakdown: the same
 * projections' matvecs alone (loaded a second time from the same file) vs the whole decode step, and the bytes
 * allocated and GC time per decoded token.
 *
 * <pre>
 * ./mvnw -q -B -o -pl model-runtime test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx3g -XX:MaxDirectMemorySize=3g --add-modules jdk.incubator.vector -Drewoo.runtime.cpu.threads=2 \
 *     -cp model-runtime/target/classes:model-runtime/target/test-classes:$(cat model-runtime/target/cp.txt) \
 *     io.rewoo4j.runtime.bench.DecodeBenchmark [layers=8] [tokens=64] [runs=5] [prompt=16] [mixtral]
 * </pre>
 * {@code jfr} adds a Flight Recorder CPU profile of the timed decode loops. {@code mixtral} writes a small Mixtral
 * instead (8 experts, top-2, hidden 1024, intermediate 2816, 8 layers). The
 * folder is deleted at exit. Results and machine: docs/benchmarks/runtime-cpu.md.
 */
public final class DecodeBenchmark {
    static final int GROUP = 128;
    static final int BITS = 4;
    /** Argument {@code jfr}: sample the timed decode runs with Flight Recorder and print where the CPU time goes. */
    static boolean profile;
    /** Wall-clock windows of the timed decode loops (the profile keeps only samples inside them, not prefill). */
    static final List<java.time.Instant[]> DECODE_WINDOWS = new ArrayList<>();

    /** Shape of the synthetic model. */
    record Shape(boolean mixtral, int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab,
            int experts, int topK) {
        int headDim() {
            return hidden / heads;
        }

        int kvDim() {
            return kvHeads * headDim();
        }

        /** Every projection of one layer as [prefix, in, out]; for Mixtral every expert's. */
        List<Object[]> projections(int layer) {
            String p = "model.layers." + layer;
            List<Object[]> list = new ArrayList<>();
            list.add(new Object[] {p + ".self_attn.q_proj", hidden, hidden});
            list.add(new Object[] {p + ".self_attn.k_proj", hidden, kvDim()});
            list.add(new Object[] {p + ".self_attn.v_proj", hidden, kvDim()});
            list.add(new Object[] {p + ".self_attn.o_proj", hidden, hidden});
            if (mixtral) {
                for (int e = 0; e < experts; e++) {
                    String x = p + ".block_sparse_moe.experts." + e;
                    list.add(new Object[] {x + ".w1", hidden, intermediate});
                    list.add(new Object[] {x + ".w3", hidden, intermediate});
                    list.add(new Object[] {x + ".w2", intermediate, hidden});
                }
            } else {
                list.add(new Object[] {p + ".mlp.gate_proj", hidden, intermediate});
                list.add(new Object[] {p + ".mlp.up_proj", hidden, intermediate});
                list.add(new Object[] {p + ".mlp.down_proj", intermediate, hidden});
            }
            return list;
        }

        long parameters() {
            long perLayer = 2L * hidden + (mixtral ? (long) experts * hidden : 0); // norms, router
            for (Object[] pr : projections(0)) {
                perLayer += (long) (int) pr[1] * (int) pr[2];
            }
            return 2L * vocab * hidden + hidden + layers * perLayer; // + embeddings, lm_head, final norm
        }

        String configJson() {
            String moe = mixtral ? ",\"num_local_experts\":" + experts + ",\"num_experts_per_tok\":" + topK
                    + ",\"sliding_window\":null,\"router_aux_loss_coef\":0.02" : "";
            return "{\"architectures\":[\"" + (mixtral ? "MixtralForCausalLM" : "LlamaForCausalLM") + "\"],"
                    + "\"model_type\":\"" + (mixtral ? "mixtral" : "llama") + "\",\"hidden_size\":" + hidden
                    + ",\"intermediate_size\":" + intermediate + ",\"num_hidden_layers\":" + layers
                    + ",\"num_attention_heads\":" + heads + ",\"num_key_value_heads\":" + kvHeads
                    + ",\"vocab_size\":" + vocab + ",\"rms_norm_eps\":1e-05,\"rope_theta\":10000.0,"
                    + "\"max_position_embeddings\":2048,\"hidden_act\":\"silu\",\"tie_word_embeddings\":false,"
                    + "\"bos_token_id\":1,\"eos_token_id\":2,\"torch_dtype\":\"float16\"" + moe + ","
                    + "\"quantization_config\":{\"quant_method\":\"gptq\",\"bits\":" + BITS + ",\"group_size\":"
                    + GROUP + ",\"desc_act\":true,\"sym\":true,\"checkpoint_format\":\"gptq\"}}";
        }
    }

    private DecodeBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int layers = 8;
        int tokens = 64;
        int runs = 5;
        int prompt = 16;
        boolean mixtral = false;
        Path keep = null;
        for (String a : args) {
            if (a.equals("jfr")) {
                profile = true;
                continue;
            }
            if (a.equals("mixtral")) {
                mixtral = true;
            } else if (a.startsWith("layers=")) {
                layers = Integer.parseInt(a.substring(7));
            } else if (a.startsWith("tokens=")) {
                tokens = Integer.parseInt(a.substring(7));
            } else if (a.startsWith("runs=")) {
                runs = Integer.parseInt(a.substring(5));
            } else if (a.startsWith("prompt=")) {
                prompt = Integer.parseInt(a.substring(7));
            } else if (a.startsWith("write=")) {
                keep = Path.of(a.substring(6));
            } else {
                throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        Shape shape = mixtral ? new Shape(true, 1024, 2816, layers, 16, 4, 32000, 8, 2)
                : new Shape(false, 2048, 5632, layers, 16, 4, 32000, 0, 0);
        int threads = KernelThreads.shared().parallelism();
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        System.out.printf(Locale.ROOT, "cpus=%d threads=%d java=%s vm=%s kernel=%s loadavg=%s%n",
                Runtime.getRuntime().availableProcessors(), threads, System.getProperty("java.version"),
                System.getProperty("java.vm.version"), vector ? "vector" : "scalar", loadAverage());
        System.out.printf(Locale.ROOT, "model: %s hidden %d, intermediate %d, %d layers, %d heads (%d kv, head_dim %d),"
                + " vocab %d%s; %,d parameters; GPTQ %d-bit g%d act-order (v1), fp16 embeddings/norms/lm_head%n",
                shape.mixtral ? "mixtral" : "llama", shape.hidden, shape.intermediate, shape.layers, shape.heads,
                shape.kvHeads, shape.headDim(), shape.vocab,
                shape.mixtral ? ", " + shape.experts + " experts top-" + shape.topK : "", shape.parameters(), BITS,
                GROUP);

        if (keep != null) {
            // Only write the checkpoint, and keep it: e.g. for `rewoo model generate DIR --tokenizer ...`.
            Files.createDirectories(keep);
            long fileBytes = writeCheckpoint(keep, shape, 42);
            System.out.printf(Locale.ROOT, "wrote %s (%.1f MB)%n", keep, fileBytes / 1e6);
            return;
        }
        Path dir = Files.createTempDirectory("decode-bench");
        try {
            long t0 = System.nanoTime();
            long fileBytes = writeCheckpoint(dir, shape, 42);
            System.out.printf(Locale.ROOT, "wrote %s (%.1f MB) in %.1f s%n", dir, fileBytes / 1e6,
                    (System.nanoTime() - t0) / 1e9);
            run(dir, shape, tokens, runs, prompt, threads);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    static void run(Path dir, Shape shape, int tokens, int runs, int promptLength, int threads) {
        double copyBefore = GptqMatvecBenchmark.copyBandwidth(threads, 3.0);
        System.gc();

        // bytes read per decoded token
        long packed = 0; // qweight of the projections a decode step runs
        long stored = 0; // + qzeros, fp16 scales, g_idx as stored
        long kernel = 0; // + the kernel's float scales and scale·zero (2 floats per group and output)
        for (Object[] pr : shape.projections(0)) {
            String name = (String) pr[0];
            if (shape.mixtral && name.contains(".experts.")) {
                int e = Integer.parseInt(name.replaceAll(".*\\.experts\\.(\\d+)\\..*", "$1"));
                if (e >= shape.topK) {
                    continue; // a decode step runs topK experts per layer
                }
            }
            long in = (int) pr[1];
            long out = (int) pr[2];
            long q = in * out * BITS / 8;
            long groups = in / GROUP;
            packed += q;
            stored += q + groups * out * BITS / 8 + groups * out * 2 + 4 * in;
            kernel += q + groups * out * 8;
        }
        long routers = shape.mixtral ? 2L * shape.experts * shape.hidden * shape.layers : 0;
        long perToken = packed * shape.layers + 2L * shape.vocab * shape.hidden + 2L * shape.hidden + routers;
        long perTokenStored = stored * shape.layers + 2L * shape.vocab * shape.hidden + 2L * shape.hidden + routers;
        long perTokenKernel = kernel * shape.layers + 2L * shape.vocab * shape.hidden + 2L * shape.hidden + routers;
        System.out.printf(Locale.ROOT, "bytes read per decoded token: %.1f MB packed (qweight %.1f MB + lm_head fp16"
                + " %.1f MB + embedding row%s); %.1f MB with qzeros/fp16 scales/g_idx as stored; %.1f MB as the"
                + " kernels read them (float scales + scale*zero)%n", perToken / 1e6, packed * shape.layers / 1e6,
                2.0 * shape.vocab * shape.hidden / 1e6, shape.mixtral ? " + routers" : "", perTokenStored / 1e6,
                perTokenKernel / 1e6);

        double[] tokPerSec = new double[runs];
        long allocPerToken;
        double gcMsPerToken;
        double heapAfterLoad;
        try (LoadedModel model = LoadedModel.load(dir)) {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            heapAfterLoad = (rt.totalMemory() - rt.freeMemory()) / 1e6;
            System.out.printf(Locale.ROOT, "heap in use after load: %.0f MB%n", heapAfterLoad);
            Session session = model.newSession(promptLength + tokens + 1);
            int[] promptIds = new int[promptLength];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < promptLength; i++) {
                promptIds[i] = 3 + rnd.nextInt(shape.vocab - 3);
            }
            // warm-up: JIT the whole path
            for (int w = 0; w < 2; w++) {
                decode(session, promptIds, tokens);
            }
            long[] before = new long[2];
            long[] after = new long[2];
            int[] last = null;
            jdk.jfr.Recording recording = null;
            if (profile) {
                recording = new jdk.jfr.Recording();
                recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(5));
                recording.start();
            }
            for (int r = 0; r < runs; r++) {
                if (r == runs - 1) {
                    allocatedAndGc(before);
                }
                long[] result = decode(session, promptIds, tokens);
                if (r == runs - 1) {
                    allocatedAndGc(after);
                }
                tokPerSec[r] = tokens / (result[0] / 1e9);
                System.out.printf(Locale.ROOT, "run %d: %.2f tokens/s (%.2f ms/token), %.2f GB/s packed%n", r + 1,
                        tokPerSec[r], 1e3 / tokPerSec[r], perToken * tokPerSec[r] / 1e9);
                last = new int[] {(int) result[1]};
            }
            if (recording != null) {
                recording.stop();
                printProfile(recording);
            }
            allocPerToken = (after[0] - before[0]) / tokens;
            gcMsPerToken = (after[1] - before[1]) / (double) tokens;
            System.out.println("last greedy token of the last run: " + last[0]);
        }
        double[] sorted = tokPerSec.clone();
        Arrays.sort(sorted);
        double median = sorted[runs / 2];

        System.gc();
        double[] mv = matvecOnly(dir, shape, 2.0);
        double matvecMs = mv[0];
        double copyAfter = GptqMatvecBenchmark.copyBandwidth(threads, 3.0);
        double copy = (copyBefore + copyAfter) / 2;
        double gbs = perToken * median / 1e9;
        double msPerToken = 1e3 / median;
        System.out.printf(Locale.ROOT, "memory copy (bytes copied/s, 1 GiB direct buffers, %d threads): before %.2f"
                + " GB/s, after %.2f GB/s, mean %.2f GB/s%n", threads, copyBefore, copyAfter, copy);
        System.out.printf(Locale.ROOT, "RESULT threads=%d kernel=%s: median %.2f tokens/s (%.2f ms/token) over %d runs"
                + " of %d tokens; %.2f GB/s packed (%.0f%% of copy bandwidth; goal 50%%), %.2f GB/s as stored,"
                + " %.2f GB/s as the kernels read%n", threads,
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "vector" : "scalar", median,
                msPerToken, runs, tokens, gbs, 100 * gbs / copy, perTokenStored * median / 1e9,
                perTokenKernel * median / 1e9);
        System.out.printf(Locale.ROOT, "BREAKDOWN: projections + lm_head matvecs alone %.2f ms/token (%.0f%%; %.2f GB/s"
                + " packed), rest (attention, norms, RoPE, SiLU, embedding, logits copies, pool hand-offs) %.2f"
                + " ms/token (%.0f%%); allocated %.0f KB/token on all threads, GC %.3f ms/token%n", matvecMs,
                100 * matvecMs / msPerToken, perToken / (matvecMs / 1e3) / 1e9, msPerToken - matvecMs,
                100 * (msPerToken - matvecMs) / msPerToken, allocPerToken / 1e3, gcMsPerToken);
        System.out.printf(Locale.ROOT, "BREAKDOWN: GPTQ projections (+ Mixtral routers) alone %.2f ms/token"
                + " (%.2f GB/s of qweight), fp16"
                + " lm_head alone %.2f ms/token (%.2f GB/s)%n", mv[1], packedAll(shape) / (mv[1] / 1e3) / 1e9, mv[2],
                2.0 * shape.vocab * shape.hidden / (mv[2] / 1e3) / 1e9);
    }

    /** CPU samples of all threads during the timed runs, by the innermost runtime frame's class (see below). */
    static void printProfile(jdk.jfr.Recording recording) {
        try {
            Path file = Files.createTempFile("decode-bench", ".jfr");
            recording.dump(file);
            recording.close();
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            int total = 0;
            for (var event : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                    continue;
                }
                java.time.Instant at = event.getStartTime();
                boolean inDecode = false;
                for (java.time.Instant[] w : DECODE_WINDOWS) {
                    inDecode |= !at.isBefore(w[0]) && !at.isAfter(w[1]);
                }
                if (!inDecode) {
                    continue;
                }
                boolean dense = false;
                for (var frame : event.getStackTrace().getFrames()) {
                    dense |= frame.getMethod().getType().getName().endsWith("DenseLinear");
                }
                String bucket = "other (JDK, pool hand-offs, GC barriers)";
                for (var frame : event.getStackTrace().getFrames()) {
                    String c = frame.getMethod().getType().getName();
                    String m = frame.getMethod().getName();
                    if (dense && (c.contains("GptqKernel") || c.endsWith("DenseLinear"))) {
                        bucket = "lm_head, dense fp16 (" + c.substring(c.lastIndexOf('.') + 1) + "." + m + ")";
                    } else if (c.contains("GptqKernel") || c.endsWith("PackedGptq") || c.endsWith("GptqLinear")) {
                        bucket = "GPTQ projections (" + c.substring(c.lastIndexOf('.') + 1) + "." + m + ")";
                    } else if (c.endsWith("DenseLinear")) {
                        bucket = "lm_head, dense fp16 (DenseLinear." + m + ")";
                    } else if (c.endsWith("Attention") || c.endsWith("RotaryEmbedding") || c.endsWith("KvCache")) {
                        bucket = "attention outside projections (" + c.substring(c.lastIndexOf('.') + 1) + ")";
                    } else if (c.endsWith("RmsNorm")) {
                        bucket = "RMSNorm";
                    } else if (c.endsWith("SwiGluMlp") || c.endsWith("SparseMixtureOfExperts")) {
                        bucket = "SiLU/gating (" + c.substring(c.lastIndexOf('.') + 1) + ")";
                    } else if (c.endsWith("TransformerBlock")) {
                        bucket = "residual adds (TransformerBlock)";
                    } else if (c.endsWith("LoadedModel")) {
                        bucket = "embedding row, logits copies (LoadedModel.forward)";
                    } else if (c.endsWith("DecodeBenchmark")) {
                        bucket = "argmax (harness)";
                    } else {
                        continue;
                    }
                    break;
                }
                counts.merge(bucket, 1, Integer::sum);
                total++;
            }
            Files.delete(file);
            System.out.println("PROFILE: " + total + " CPU samples (all threads, 5 ms period) inside the timed decode"
                    + " loops (prefill excluded); idle/parked time is not sampled:");
            int all = total;
            counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(e -> System.out.printf(
                    Locale.ROOT, "PROFILE:   %5.1f%%  %s%n", 100.0 * e.getValue() / all, e.getKey()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prefill (untimed), then {@code tokens} greedy decode steps (timed): {elapsed ns, last token}. */
    static long[] decode(Session session, int[] prompt, int tokens) {
        session.reset();
        float[] logits = session.logits(prompt);
        int token = argmax(logits);
        java.time.Instant wallStart = java.time.Instant.now();
        long start = System.nanoTime();
        for (int i = 0; i < tokens; i++) {
            logits = session.next(token);
            token = argmax(logits);
        }
        long elapsed = System.nanoTime() - start;
        DECODE_WINDOWS.add(new java.time.Instant[] {wallStart, java.time.Instant.now()});
        return new long[] {elapsed, token};
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Total bytes allocated by all live threads, total GC milliseconds. */
    static void allocatedAndGc(long[] into) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes = 0;
        for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            if (b > 0) {
                bytes += b;
            }
        }
        long gc = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, g.getCollectionTime());
        }
        into[0] = bytes;
        into[1] = gc;
    }

    /**
     * The matvecs of one decode step alone: the same projections (and lm_head) loaded from the same file, run one
     * after the other on random inputs (rows = 1), on the shared pool; ms per "token" (median of 1-second rounds).
     */
    static long packedAll(Shape shape) {
        long packed = 0;
        for (Object[] pr : shape.projections(0)) {
            String name = (String) pr[0];
            if (!(shape.mixtral && name.contains(".experts.")
                    && Integer.parseInt(name.replaceAll(".*\\.experts\\.(\\d+)\\..*", "$1")) >= shape.topK)) {
                packed += (long) (int) pr[1] * (int) pr[2] * BITS / 8;
            }
        }
        return packed * shape.layers;
    }

    /** ms per token: {all matvecs of a step, the GPTQ projections alone, lm_head alone}. */
    static double[] matvecOnly(Path dir, Shape shape, double seconds) {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            QuantizationConfig q = QuantizationConfig.load(dir).orElseThrow();
            KernelThreads pool = KernelThreads.shared();
            List<Linear> step = new ArrayList<>();
            for (int l = 0; l < shape.layers; l++) {
                for (Object[] pr : shape.projections(l)) {
                    String name = (String) pr[0];
                    if (shape.mixtral && name.contains(".experts.")
                            && Integer.parseInt(name.replaceAll(".*\\.experts\\.(\\d+)\\..*", "$1")) >= shape.topK) {
                        continue;
                    }
                    step.add(GptqLinear.load(ckpt, name, q, pool));
                }
                if (shape.mixtral) {
                    step.add(DenseLinear.load(ckpt, "model.layers." + l + ".block_sparse_moe.gate", pool));
                }
            }
            List<Linear> gptqOnly = new ArrayList<>(step);
            Linear head = DenseLinear.load(ckpt, "lm_head", pool);
            step.add(head);
            int max = Math.max(shape.vocab, Math.max(shape.intermediate, shape.hidden));
            float[] x = new float[max];
            SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < max; i++) {
                x[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            float[] y = new float[max];
            double[] result = {time(step, x, y, seconds), time(gptqOnly, x, y, seconds / 2),
                time(List.of(head), x, y, seconds / 2)};
            // per kind of projection, every layer's in turn (small kinds then sit in the 32 MiB L3: an upper bound)
            StringBuilder kinds = new StringBuilder("BREAKDOWN per projection kind (all layers in turn):");
            java.util.Map<String, List<Linear>> byKind = new java.util.LinkedHashMap<>();
            for (Linear lin : gptqOnly) {
                String key = lin.inFeatures() + "->" + lin.outFeatures();
                byKind.computeIfAbsent(key, k -> new ArrayList<>()).add(lin);
            }
            for (var e : byKind.entrySet()) {
                double ms = time(e.getValue(), x, y, seconds / 4);
                long bytes = 0;
                for (Linear lin : e.getValue()) {
                    bytes += (long) lin.inFeatures() * lin.outFeatures() * BITS / 8;
                }
                kinds.append(String.format(Locale.ROOT, " %s x%d: %.3f ms/token (%.1f us/call, %.2f GB/s);",
                        e.getKey(), e.getValue().size(), ms, 1e3 * ms / e.getValue().size(), bytes / (ms / 1e3) / 1e9));
            }
            System.out.println(kinds);
            return result;
        }
    }

    static double time(List<Linear> step, float[] x, float[] y, double seconds) {
        Runnable one = () -> {
            for (Linear lin : step) {
                lin.matmul(x, 1, y);
            }
        };
        for (int w = 0; w < 10; w++) {
            one.run();
        }
        List<Double> rounds = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || rounds.size() < 3) {
            int n = 0;
            long s = System.nanoTime();
            long now;
            do {
                one.run();
                n++;
                now = System.nanoTime();
            } while (now - s < 0.5e9);
            rounds.add((now - s) / 1e6 / n);
        }
        rounds.sort(null);
        return rounds.get(rounds.size() / 2);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- checkpoint writer

    /** One tensor to write: name, dtype, shape, bytes, and a filler that writes exactly those bytes. */
    record Tensor(String name, String dtype, long[] shape, long bytes, Consumer<Sink> fill) {
    }

    /** Streams little-endian values into the file through a buffer. */
    static final class Sink {
        private final FileChannel channel;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);

        Sink(FileChannel channel) {
            this.channel = channel;
        }

        void putInt(int v) {
            room(4);
            buf.putInt(v);
        }

        void putShort(short v) {
            room(2);
            buf.putShort(v);
        }

        void putLong(long v) {
            room(8);
            buf.putLong(v);
        }

        void putBytes(byte[] b) {
            for (byte x : b) {
                room(1);
                buf.put(x);
            }
        }

        private void room(int n) {
            if (buf.remaining() < n) {
                flush();
            }
        }

        void flush() {
            buf.flip();
            try {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            buf.clear();
        }
    }

    /** Writes config.json and model.safetensors; returns the safetensors file size. */
    static long writeCheckpoint(Path dir, Shape s, long seed) throws IOException {
        Files.writeString(dir.resolve("config.json"), s.configJson());
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Tensor> tensors = new ArrayList<>();
        short[] embedTable = halfTable(0.02f);
        short[] headTable = halfTable(0.02f);
        tensors.add(f16Random("model.embed_tokens.weight", new long[] {s.vocab, s.hidden}, embedTable, rnd.split()));
        for (int l = 0; l < s.layers; l++) {
            String p = "model.layers." + l;
            tensors.add(f16Const(p + ".input_layernorm.weight", s.hidden, 1.0f));
            tensors.add(f16Const(p + ".post_attention_layernorm.weight", s.hidden, 1.0f));
            if (s.mixtral) {
                tensors.add(f16Random(p + ".block_sparse_moe.gate.weight", new long[] {s.experts, s.hidden},
                        halfTable(0.05f), rnd.split()));
            }
            for (Object[] pr : s.projections(l)) {
                gptq(tensors, (String) pr[0], (int) pr[1], (int) pr[2], rnd.split());
            }
        }
        tensors.add(f16Const("model.norm.weight", s.hidden, 1.0f));
        tensors.add(f16Random("lm_head.weight", new long[] {s.vocab, s.hidden}, headTable, rnd.split()));

        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Tensor t : tensors) {
            header.append(",\"").append(t.name).append("\":{\"dtype\":\"").append(t.dtype).append("\",\"shape\":[");
            for (int i = 0; i < t.shape.length; i++) {
                header.append(i == 0 ? "" : ",").append(t.shape[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.bytes).append("]}");
            offset += t.bytes;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Sink sink = new Sink(ch);
            sink.putLong(headerBytes.length);
            sink.putBytes(headerBytes);
            for (Tensor t : tensors) {
                long before = ch.position();
                sink.flush();
                long start = ch.position();
                t.fill.accept(sink);
                sink.flush();
                if (ch.position() - start != t.bytes) {
                    throw new IllegalStateException(t.name + ": wrote " + (ch.position() - start) + " of " + t.bytes
                            + " bytes (" + before + ")");
                }
            }
        }
        return Files.size(file);
    }

    /** qweight (random), qzeros (all 8: v1 stores 7), scales fp16 in [0.001, 0.011), g_idx act-order permutation. */
    static void gptq(List<Tensor> tensors, String prefix, int in, int out, SplittableRandom rnd) {
        int groups = in / GROUP;
        if (in % GROUP != 0 || out % 8 != 0) {
            throw new IllegalArgumentException(prefix + ": " + in + " x " + out);
        }
        long words = (long) in * BITS / 32 * out;
        SplittableRandom r1 = rnd.split();
        tensors.add(new Tensor(prefix + ".qweight", "I32", new long[] {in * BITS / 32, out}, 4 * words, sink -> {
            for (long i = 0; i < words / 2; i++) {
                sink.putLong(r1.nextLong());
            }
            if (words % 2 != 0) {
                sink.putInt(r1.nextInt());
            }
        }));
        long zeroWords = (long) groups * out * BITS / 32;
        tensors.add(new Tensor(prefix + ".qzeros", "I32", new long[] {groups, out * BITS / 32}, 4 * zeroWords,
                sink -> {
                    for (long i = 0; i < zeroWords; i++) {
                        sink.putInt(0x77777777);
                    }
                }));
        SplittableRandom r2 = rnd.split();
        tensors.add(new Tensor(prefix + ".scales", "F16", new long[] {groups, out}, 2L * groups * out, sink -> {
            for (long i = 0; i < (long) groups * out; i++) {
                sink.putShort(toHalf(0.001f + (float) r2.nextDouble() * 0.01f));
            }
        }));
        int[] gIdx = new int[in];
        for (int i = 0; i < in; i++) {
            gIdx[i] = i / GROUP;
        }
        SplittableRandom r3 = rnd.split();
        for (int i = in - 1; i > 0; i--) {
            int j = r3.nextInt(i + 1);
            int t = gIdx[i];
            gIdx[i] = gIdx[j];
            gIdx[j] = t;
        }
        tensors.add(new Tensor(prefix + ".g_idx", "I32", new long[] {in}, 4L * in, sink -> {
            for (int g : gIdx) {
                sink.putInt(g);
            }
        }));
    }

    static Tensor f16Const(String name, int n, float value) {
        short h = toHalf(value);
        return new Tensor(name, "F16", new long[] {n}, 2L * n, sink -> {
            for (int i = 0; i < n; i++) {
                sink.putShort(h);
            }
        });
    }

    /** Values drawn from a 4096-entry table of fp16 values uniform in ±(√3·std): fast and deterministic. */
    static Tensor f16Random(String name, long[] shape, short[] table, SplittableRandom rnd) {
        long n = shape[0] * shape[1];
        return new Tensor(name, "F16", shape, 2 * n, sink -> {
            for (long i = 0; i < n; i += 4) {
                long bits = rnd.nextLong();
                for (int k = 0; k < 4 && i + k < n; k++) {
                    sink.putShort(table[(int) (bits >>> (16 * k)) & 4095]);
                }
            }
        });
    }

    static short[] halfTable(float std) {
        short[] t = new short[4096];
        float a = (float) (Math.sqrt(3) * std);
        for (int i = 0; i < t.length; i++) {
            t[i] = toHalf(-a + 2 * a * (i + 0.5f) / t.length);
        }
        return t;
    }

    /** float → IEEE binary16, round to nearest even (normal and subnormal range; no NaN handling needed here). */
    static short toHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (exp >= 31) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int h = (exp << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
            h++;
        }
        return (short) (sign | h);
    }
}
