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
                            String promptFormat) {

    /** The GPTQ settings; null for an unquantised checkpoint. */
    public record Quantization(int bits, int groupSize, boolean actOrder, boolean symmetric, String format) {
    }

    public static ModelInfoView of(Path dir) {
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
                    PromptFormat.detect(absolute.toString()).orElse(PromptFormat.LLAMA2_CHAT).id());
        }
    }
}
