package io.rewoo4j.runtime.cuda.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.cuda.CudaAvailability;
import io.rewoo4j.runtime.cuda.CudaContext;
import io.rewoo4j.runtime.cuda.CudaDevice;
import io.rewoo4j.runtime.cuda.CudaLibrary;
import io.rewoo4j.runtime.cuda.CudaModel;
import io.rewoo4j.runtime.cuda.CudaSession;

/**
 * Decode and prefill throughput of the CUDA backend on a full-size Mixtral-8x7B-shaped GPTQ 4-bit g128 act-order
 * model generated on the device ({@link SyntheticMixtral}), against the device's copy bandwidth.
 *
 * <ul>
 * <li><b>Copy bandwidth</b>: 1 GiB device-to-device copies timed with events; bytes read plus written per second,
 *     median of 20 (the ceiling of a memory-bound decode step).</li>
 * <li><b>Decode</b> at batch 1, 4 and 16: every sequence first prefilled with {@code prompt} random tokens, then
 *     {@code runs} × {@code steps} greedy steps replayed as one captured CUDA graph each (the argmax feeds the next
 *     step on the device), each replay timed with events; the median step gives tokens/s = batch / step time.</li>
 * <li><b>Bytes per step</b>: attention projections, router and lm_head of every layer, the active experts' w1/w3/w2
 *     (expected distinct experts among {@code batch} tokens under uniform routing, 8·(1 − (6/8)^batch): 2, 5.47 and
 *     7.92; the last layer's measured count is printed beside it) and the KV cache read by attention (fp16 keys and
 *     values of every cached position of every sequence, at the mean length of the timed steps). Effective GB/s =
 *     bytes / step time; the fraction is of the measured copy bandwidth.</li>
 * <li><b>Prefill</b> of 512 and 2048 tokens into one sequence in one pass (tensor-core GEMM path), median of
 *     {@code runs}.</li>
 * </ul>
 *
 * <pre>
 * java -cp model-runtime/target/classes:model-runtime/target/test-classes:$(cat model-runtime/target/cp.txt) \
 *     io.rewoo4j.runtime.cuda.bench.CudaDecodeBenchmark [layers=32] [steps=64] [runs=5] [prompt=128] \
 *     [positions=4096] [out=PATH_PREFIX]
 * </pre>
 * {@code out} writes {@code PREFIX.json} and {@code PREFIX.md}. {@code layers=4} makes a quick run (bytes and times
 * scale with the layers; lm_head does not). See {@code scripts/cuda/device-check.sh}.
 */
public final class CudaDecodeBenchmark {
    static final int[] BATCHES = {1, 4, 16};
    static final int[] PREFILLS = {512, 2048};

    record DecodeRow(int batch, double medianMs, double tokensPerSecond, double activeExperts, int lastLayerExperts,
            long weightBytes, long kvBytes, double effectiveBytesPerSecond, double fractionOfCopy,
            double fractionOfPeak) {
    }

    record PrefillRow(int tokens, double medianMs, double tokensPerSecond) {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value, got " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int layers = Integer.parseInt(opts.getOrDefault("layers", "32"));
        int steps = Integer.parseInt(opts.getOrDefault("steps", "64"));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
        int prompt = Integer.parseInt(opts.getOrDefault("prompt", "128"));
        int positions = Integer.parseInt(opts.getOrDefault("positions", "4096"));
        String out = opts.get("out");

        CudaAvailability availability = CudaLibrary.availability();
        if (!availability.available()) {
            System.err.println("CUDA is not available: " + availability.reason());
            System.exit(2);
        }
        CudaDevice device = availability.devices().get(0);
        System.out.println("device: " + device + "; " + availability.buildInfo());
        CudaContext ctx = CudaContext.open(0);

        double copy = median(CudaModel.copyBandwidth(ctx, 1L << 30, 20));
        double peak = device.peakBandwidthBytesPerSecond();
        System.out.printf(Locale.ROOT, "copy bandwidth %.0f GB/s (read + write), theoretical peak %.0f GB/s%n",
                copy / 1e9, peak / 1e9);

        long t0 = System.nanoTime();
        int maxRows = Arrays.stream(PREFILLS).max().getAsInt();
        ModelConfig config = SyntheticMixtral.config(layers);
        List<DecodeRow> decode = new ArrayList<>();
        List<PrefillRow> prefill = new ArrayList<>();
        long weightBytes;
        try (CudaModel model = SyntheticMixtral.build(ctx, layers, maxRows, 42)) {
            weightBytes = model.weightBytes();
            System.out.printf(Locale.ROOT, "synthetic Mixtral-8x7B, %d layers: %.2f GB of weights on the device, "
                    + "built in %.1f s%n", layers, weightBytes / 1e9, (System.nanoTime() - t0) / 1e9);
            SplittableRandom random = new SplittableRandom(7);
            int maxBatch = Arrays.stream(BATCHES).max().getAsInt();
            try (CudaSession s = model.newSession(positions, maxBatch)) {
                for (int n : PREFILLS) {
                    int[] tokens = randomTokens(random, n, config.vocabSize());
                    s.reset();
                    s.timePrefill(0, tokens); // warm-up
                    double[] ms = new double[runs];
                    for (int r = 0; r < runs; r++) {
                        s.reset();
                        ms[r] = s.timePrefill(0, tokens);
                    }
                    double m = median(ms);
                    prefill.add(new PrefillRow(n, m, n / (m / 1e3)));
                }
                for (int batch : BATCHES) {
                    s.reset();
                    int[] last = new int[batch];
                    for (int b = 0; b < batch; b++) {
                        s.prefill(b, randomTokens(random, prompt, config.vocabSize()));
                        last[b] = random.nextInt(config.vocabSize());
                    }
                    s.timeGreedySteps(last, 3, last); // warm-up, graph capture
                    int startLength = s.length(0);
                    double[] all = new double[runs * steps];
                    for (int r = 0; r < runs; r++) {
                        float[] ms = s.timeGreedySteps(last, steps, last);
                        for (int i = 0; i < steps; i++) {
                            all[r * steps + i] = ms[i];
                        }
                    }
                    double m = median(all);
                    int measured = (int) Arrays.stream(s.lastLayerExpertLoad()).filter(c -> c > 0).count();
                    int e = config.numLocalExperts();
                    double active = e * (1 - Math.pow((double) (e - config.numExpertsPerToken()) / e, batch));
                    long weights = model.decodeWeightBytes(active);
                    // positions attended per sequence: from startLength + 1 to startLength + runs * steps
                    double meanPositions = startLength + (runs * steps + 1) / 2.0;
                    long kv = (long) (2.0 * 2 * config.numLayers() * config.kvDim() * meanPositions * batch);
                    double effective = (weights + kv) / (m / 1e3);
                    decode.add(new DecodeRow(batch, m, batch / (m / 1e3), active, measured, weights, kv, effective,
                            effective / copy, effective / peak));
                }
            }
        }

        String table = table(device, copy, peak, layers, weightBytes, decode, prefill);
        System.out.println(table);
        if (out != null) {
            Files.writeString(Path.of(out + ".md"), table + "\n");
            Files.writeString(Path.of(out + ".json"), json(device, copy, peak, layers, weightBytes, steps, runs,
                    prompt, decode, prefill));
            System.out.println("wrote " + out + ".md and " + out + ".json");
        }
    }

    static int[] randomTokens(SplittableRandom random, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(vocab);
        }
        return t;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static String table(CudaDevice device, double copy, double peak, int layers, long weightBytes,
            List<DecodeRow> decode, List<PrefillRow> prefill) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "## CUDA decode, synthetic Mixtral-8x7B GPTQ 4-bit g128 act-order, %d "
                + "layers (%.2f GB of weights)%n%n", layers, weightBytes / 1e9));
        b.append(String.format(Locale.ROOT, "Device: %s. Copy bandwidth %.0f GB/s (read + write, D2D), theoretical "
                + "peak %.0f GB/s.%n%n", device, copy / 1e9, peak / 1e9));
        b.append("| batch | step (ms, median) | tokens/s | experts/layer (expected; last layer) | MB read/step "
                + "(weights + KV) | effective GB/s | of copy bw | of peak |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (DecodeRow r : decode) {
            b.append(String.format(Locale.ROOT, "| %d | %.3f | %.1f | %.2f; %d | %.0f + %.1f | %.0f | %.0f%% | %.0f%% |%n",
                    r.batch(), r.medianMs(), r.tokensPerSecond(), r.activeExperts(), r.lastLayerExperts(),
                    r.weightBytes() / 1e6, r.kvBytes() / 1e6, r.effectiveBytesPerSecond() / 1e9,
                    100 * r.fractionOfCopy(), 100 * r.fractionOfPeak()));
        }
        b.append("\n| prefill tokens | time (ms, median) | tokens/s |\n|---:|---:|---:|\n");
        for (PrefillRow r : prefill) {
            b.append(String.format(Locale.ROOT, "| %d | %.1f | %.0f |%n", r.tokens(), r.medianMs(),
                    r.tokensPerSecond()));
        }
        return b.toString();
    }

    static String json(CudaDevice device, double copy, double peak, int layers, long weightBytes, int steps, int runs,
            int prompt, List<DecodeRow> decode, List<PrefillRow> prefill) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"device\": \"").append(device.name().replace("\"", "'")).append("\",\n");
        b.append(String.format(Locale.ROOT, "  \"copyBandwidthBytesPerSecond\": %.6g,%n", copy));
        b.append(String.format(Locale.ROOT, "  \"peakBandwidthBytesPerSecond\": %.6g,%n", peak));
        b.append(String.format(Locale.ROOT, "  \"layers\": %d, \"weightBytes\": %d, \"steps\": %d, \"runs\": %d, "
                + "\"prompt\": %d,%n", layers, weightBytes, steps, runs, prompt));
        b.append("  \"decode\": [\n");
        for (int i = 0; i < decode.size(); i++) {
            DecodeRow r = decode.get(i);
            b.append(String.format(Locale.ROOT, "    {\"batch\": %d, \"medianStepMs\": %.6g, \"tokensPerSecond\": "
                    + "%.6g, \"expectedActiveExperts\": %.4g, \"lastLayerExperts\": %d, \"weightBytesPerStep\": %d, "
                    + "\"kvBytesPerStep\": %d, \"effectiveBytesPerSecond\": %.6g, \"fractionOfCopyBandwidth\": %.4g, "
                    + "\"fractionOfPeakBandwidth\": %.4g}%s%n", r.batch(), r.medianMs(), r.tokensPerSecond(),
                    r.activeExperts(), r.lastLayerExperts(), r.weightBytes(), r.kvBytes(),
                    r.effectiveBytesPerSecond(), r.fractionOfCopy(), r.fractionOfPeak(),
                    i + 1 < decode.size() ? "," : ""));
        }
        b.append("  ],\n  \"prefill\": [\n");
        for (int i = 0; i < prefill.size(); i++) {
            PrefillRow r = prefill.get(i);
            b.append(String.format(Locale.ROOT, "    {\"tokens\": %d, \"medianMs\": %.6g, \"tokensPerSecond\": %.6g}%s%n",
                    r.tokens(), r.medianMs(), r.tokensPerSecond(), i + 1 < prefill.size() ? "," : ""));
        }
        b.append("  ]\n}\n");
        return b.toString();
    }
}
