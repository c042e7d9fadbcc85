package io.rewoo4j.runtime.model;

import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.gptq.Linear;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * {@code down(silu(gate(x)) · up(x))}: Llama's {@code mlp.{gate,up,down}_proj}, and one Mixtral expert
 * ({@code w2(silu(w1 x) · w3 x)}).
 */
final class SwiGluMlp implements FeedForward {
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    SwiGluMlp(Linear gate, Linear up, Linear down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    static SwiGluMlp load(SafetensorsCheckpoint ckpt, String gate, String up, String down, QuantizationConfig quant,
            KernelThreads threads, int hidden, int intermediate) {
        return new SwiGluMlp(Shapes.linear(ckpt, gate, quant, threads, hidden, intermediate),
                Shapes.linear(ckpt, up, quant, threads, hidden, intermediate),
                Shapes.linear(ckpt, down, quant, threads, intermediate, hidden));
    }

    @Override
    public void forward(float[] x, int rows, float[] out) {
        int inter = gate.outFeatures();
        float[] g = new float[rows * inter];
        float[] u = new float[rows * inter];
        gate.matmul(x, rows, g);
        up.matmul(x, rows, u);
        for (int i = 0; i < g.length; i++) {
            float a = g[i];
            g[i] = a / (1f + (float) Math.exp(-a)) * u[i];
        }
        down.matmul(g, rows, out);
    }
}
