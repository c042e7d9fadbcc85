package io.rewoo4j.runtime.model;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.gptq.Linear;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/** Loads projections and checks them against the shapes the config implies, naming the layer on a mismatch. */
final class Shapes {
    private Shapes() {
    }

    static Linear linear(SafetensorsCheckpoint ckpt, String prefix, QuantizationConfig quant, KernelThreads threads,
            int in, int out) {
        Linear l = Linear.load(ckpt, prefix, quant, threads);
        if (l.inFeatures() != in || l.outFeatures() != out) {
            throw new CorruptCheckpointException(ckpt.directory(), prefix, "expected a projection " + in + " → "
                    + out + " from config.json, the checkpoint holds " + l.inFeatures() + " → " + l.outFeatures());
        }
        return l;
    }
}
