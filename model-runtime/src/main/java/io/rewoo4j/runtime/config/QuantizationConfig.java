package io.rewoo4j.runtime.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * GPTQ quantisation parameters, from {@code quantize_config.json} (AutoGPTQ) or the {@code quantization_config}
 * object of {@code config.json} (transformers / optimum).
 *
 * @param bits      2, 3, 4 or 8
 * @param groupSize inputs per scale/zero group, or -1 for one group over all inputs
 * @param descAct   act-order: groups follow {@code g_idx}, not the input order
 * @param sym       symmetric quantisation (informational: the zeros are read from {@code qzeros} either way)
 * @param format    {@code checkpoint_format}: v1 ({@code gptq}, the default) or v2 ({@code gptq_v2})
 */
public record QuantizationConfig(int bits, int groupSize, boolean descAct, boolean sym, CheckpointFormat format) {

    public QuantizationConfig {
        checkBits("QuantizationConfig", bits);
        checkGroupSize("QuantizationConfig", groupSize);
    }

    /**
     * The model folder's GPTQ config: {@code config.json}'s {@code quantization_config} if it has one, else
     * {@code quantize_config.json}; empty for an unquantised model. When both exist they must agree.
     */
    public static Optional<QuantizationConfig> load(Path modelDir) {
        Optional<QuantizationConfig> fromConfig = Optional.empty();
        Path config = modelDir.resolve("config.json");
        if (Files.isRegularFile(config)) {
            JsonFields root = JsonFields.read(config);
            if (root.has("quantization_config")) {
                fromConfig = Optional.of(from(root.object("quantization_config")));
            }
        }
        Path quantize = modelDir.resolve("quantize_config.json");
        Optional<QuantizationConfig> fromQuantize = Files.isRegularFile(quantize)
                ? Optional.of(from(JsonFields.read(quantize))) : Optional.empty();
        if (fromConfig.isPresent() && fromQuantize.isPresent() && !fromConfig.equals(fromQuantize)) {
            throw new InvalidConfigException(modelDir.toString(), "config.json quantization_config "
                    + fromConfig.get() + " disagrees with quantize_config.json " + fromQuantize.get());
        }
        return fromConfig.isPresent() ? fromConfig : fromQuantize;
    }

    /** Parses a {@code quantize_config.json} or a {@code quantization_config} object given as text. */
    public static QuantizationConfig parse(String source, String json) {
        return from(JsonFields.parse(source, json));
    }

    /** Parses {@code config.json} text and returns its {@code quantization_config}, if any. */
    public static Optional<QuantizationConfig> fromModelConfigJson(String source, String configJson) {
        JsonFields root = JsonFields.parse(source, configJson);
        return root.has("quantization_config")
                ? Optional.of(from(root.object("quantization_config"))) : Optional.empty();
    }

    private static QuantizationConfig from(JsonFields f) {
        String src = f.source();
        String method = f.optString("quant_method", "gptq");
        if (!method.equals("gptq")) {
            throw new InvalidConfigException(src, "quant_method '" + method + "' is not supported (only gptq)");
        }
        int bits = f.requireInt("bits");
        checkBits(src, bits);
        int groupSize = f.optInt("group_size", -1);
        checkGroupSize(src, groupSize);
        boolean descAct = f.optBoolean("desc_act", false);
        boolean sym = f.optBoolean("sym", true);
        String fmt = f.optString("checkpoint_format", f.optString("format", "gptq"));
        CheckpointFormat format = switch (fmt) {
            case "gptq" -> CheckpointFormat.GPTQ_V1;
            case "gptq_v2" -> CheckpointFormat.GPTQ_V2;
            default -> throw new InvalidConfigException(src, "checkpoint_format '" + fmt
                    + "' is not supported (gptq or gptq_v2)");
        };
        String packDtype = f.optString("pack_dtype", "int32");
        if (!packDtype.equals("int32")) {
            throw new InvalidConfigException(src, "pack_dtype '" + packDtype + "' is not supported (only int32)");
        }
        return new QuantizationConfig(bits, groupSize, descAct, sym, format);
    }

    private static void checkBits(String src, int bits) {
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new InvalidConfigException(src, "bits " + bits + " is not supported (2, 3, 4 or 8)");
        }
    }

    private static void checkGroupSize(String src, int groupSize) {
        if (groupSize != -1 && groupSize <= 0) {
            throw new InvalidConfigException(src, "group_size " + groupSize
                    + " is not supported (a positive size, or -1 for one group)");
        }
    }
}
