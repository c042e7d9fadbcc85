package io.rewoo4j.config.json;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.SafetensorsFile;
import io.rewoo4j.runtime.safetensors.TensorInfo;

/**
 * What {@code rewoo model info DIR} prints: the architecture, the quantisation, the checkpoint's files and the
 * memory its weights take (they are memory-mapped, not copied), and the prompt format rewoo4j would use.
 */
public record ModelInfoView(String path, String modelType, int layers, int hiddenSize, int intermediateSize,
                            int heads, int kvHeads, int headDim, int vocabSize, Integer experts,
                            Integer expertsPerToken, Integer slidingWindow, double ropeTheta,
                            Quantization quantization, int tensors, long weightBytes, List<String> files,
                            String promptFormat, Placement placement) {

    /** The GPTQ settings; null for an unquantised checkpoint. */
    public record Quantization(int bits, int groupSize, boolean actOrder, boolean symmetric, String format) {
    }

    /**
     * Where the model would run and what it needs there.
     *
     * @param backend       {@code cuda} or {@code cpu}: where {@code rewoo model generate --backend ...} would run it
     * @param device        the CUDA device, or the CPU cores
     * @param freeBytes     free device memory; null on the CPU
     * @param totalBytes    total device memory; null on the CPU
     * @param neededBytes   device memory the model needs for one session of {@code contextLength} positions
     *                      (weights in the GPU layout, KV cache, workspace); on the CPU, the heap its packed weights
     *                      take
     * @param needed        the same, broken down
     * @param contextLength the positions the estimate assumes
     * @param note          why the CUDA backend is not used, when it is not
     */
    public record Placement(String backend, String device, Long freeBytes, Long totalBytes, long neededBytes,
                            String needed, int contextLength, String note) {
    }

    /** The folder's description, placed as {@code auto} would place it with a 4,096-position context. */
    public static ModelInfoView of(Path dir) {
        return of(dir, io.rewoo4j.runtime.model.Backend.AUTO, 4096);
    }

    /** The folder's description, with where {@code backend} would run it for {@code contextLength} positions. */
    public static ModelInfoView of(Path dir, io.rewoo4j.runtime.model.Backend backend, int contextLength) {
        ModelConfig config = ModelConfig.load(dir);
        Quantization quantization = QuantizationConfig.load(dir)
                .map(q -> new Quantization(q.bits(), q.groupSize(), q.descAct(), q.sym(),
                        q.format().name().toLowerCase(Locale.ROOT)))
                .orElse(null);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            long bytes = 0;
            int tensors = 0;
            for (SafetensorsFile file : checkpoint.files()) {
                for (TensorInfo tensor : file.tensors().values()) {
                    bytes += tensor.byteSize();
                    tensors++;
                }
            }
            boolean moe = config.numLocalExperts() > 0;
            Path absolute = dir.toAbsolutePath().normalize();
            return new ModelInfoView(absolute.toString(), config.modelType().name().toLowerCase(Locale.ROOT),
                    config.numLayers(), config.hiddenSize(), config.intermediateSize(), config.numHeads(),
                    config.numKeyValueHeads(), config.headDim(), config.vocabSize(),
                    moe ? config.numLocalExperts() : null, moe ? config.numExpertsPerToken() : null,
                    config.slidingWindow().isPresent() ? config.slidingWindow().getAsInt() : null, config.ropeTheta(),
                    quantization, tensors, bytes,
                    checkpoint.files().stream().map(f -> f.path().getFileName().toString()).toList(),
                    PromptFormat.detect(absolute.toString()).orElse(PromptFormat.LLAMA2_CHAT).id(),
                    placement(config, QuantizationConfig.load(dir), backend, contextLength));
        }
    }

    private static Placement placement(ModelConfig config, java.util.Optional<QuantizationConfig> quantization,
            io.rewoo4j.runtime.model.Backend backend, int contextLength) {
        int positions = Math.max(1, Math.min(contextLength, config.maxPositionEmbeddings()));
        var estimate = io.rewoo4j.runtime.cuda.CudaMemoryEstimate.of(config, quantization, positions, 1);
        String note = null;
        if (backend != io.rewoo4j.runtime.model.Backend.CPU) {
            var cuda = io.rewoo4j.runtime.cuda.CudaLibrary.availability();
            if (cuda.available() && !cuda.devices().isEmpty()) {
                var device = cuda.devices().get(0);
                if (estimate.fitsIn(device.freeMemory()) || backend == io.rewoo4j.runtime.model.Backend.CUDA) {
                    return new Placement("cuda", device.toString(), device.freeMemory(), device.totalMemory(),
                            estimate.total(), estimate.describe(), positions,
                            estimate.fitsIn(device.freeMemory()) ? null : "the model does not fit in free device memory");
                }
                note = "needs " + estimate.describe() + " but " + device.name() + " has "
                        + String.format(Locale.ROOT, "%.2f GB", device.freeMemory() / 1e9) + " free";
            } else {
                note = cuda.reason();
            }
        }
        long heap = estimate.weightBytes();
        return new Placement("cpu", Runtime.getRuntime().availableProcessors() + " CPU cores", null, null, heap,
                bytes(heap) + " of packed weights on the Java heap", positions, note);
    }

    private static String bytes(long n) {
        return n >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", n / 1e9)
                : n >= 1e6 ? String.format(Locale.ROOT, "%.1f MB", n / 1e6)
                : String.format(Locale.ROOT, "%.1f kB", n / 1e3);
    }
}
