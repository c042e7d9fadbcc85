package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.rewoo4j.runtime.gptq.DenseLinear;
import io.rewoo4j.runtime.gptq.GptqLinear;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.gptq.Linear;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;

/**
 * The device linear kernels ({@code rw::linear_forward} through {@link DeviceMatrixTable}) on the layouts the host
 * repack builds, against the CPU backend's products. GPU only (skipped with the reason elsewhere).
 *
 * <p>Numeric expectation (pinned on the host by {@link CudaGptqLayoutTest#emulate}): activations rounded to fp16,
 * {@code q − zero} exact, fp32 scales and accumulation. The kernels also round products in half2 between fp32 flushes
 * (GEMV) or {@code scale·(q − zero)} to fp16 (GEMM), so the device is held to relative L2 ≤ {@value #TOLERANCE}
 * against the CPU product and against the emulation, and element-wise to
 * {@code 2e-3·Σ_i |W[o][i]·x_i| + 1e-5}. Rows 1, 5 and 16 take the split-K GEMV, 17 and 40 the tensor-core GEMM.
 */
class GptqLinearKernelTest {
    static final double TOLERANCE = 2e-3;
    static final int[] ROWS = {1, 5, 16, 17, 40};

    static CudaContext ctx;

    @BeforeAll
    static void open() {
        if (CudaLibrary.availability().available()) {
            ctx = CudaContext.open(0);
        }
    }

    @BeforeEach
    void requireCuda() {
        CudaTestSupport.assumeCuda(); // each test reported as skipped, with the reason, where there is no device
    }

    @AfterAll
    static void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    /** y [rows][ldy] = x [rows][in] through a one-expert table without routing (OUTPUT_TASK into zeros). */
    static float[] run(DeviceMatrixTable table, float[] x, int rows, int ldy) {
        try (DeviceBuffer xd = ctx.upload(x); DeviceBuffer yd = ctx.allocateFloats((long) rows * ldy)) {
            ctx.zero(yd);
            table.launch(ctx, xd.address(), table.inFeatures(), rows, DeviceMatrixTable.INPUT_TOKEN,
                    DeviceMatrixTable.OUTPUT_TASK, yd.address(), ldy, rows, null, rows);
            float[] y = ctx.downloadFloats(yd);
            ctx.synchronize();
            return y;
        }
    }

    static float[] cpu(Linear l, float[] x, int rows) {
        float[] y = new float[rows * l.outFeatures()];
        l.matmul(x, rows, y);
        return y;
    }

    /** |y − want| ≤ 2e-3·Σ_i |W[o][i]·x_i| + 1e-5 for every element (W from the CPU layer). */
    static void assertElementwise(String what, GptqLinear w, float[] x, int rows, float[] y, float[] want) {
        int in = w.inFeatures();
        int out = w.outFeatures();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double mass = 0;
                for (int i = 0; i < in; i++) {
                    mass += Math.abs((double) w.weight(o, i) * x[r * in + i]);
                }
                double err = Math.abs((double) y[r * out + o] - want[r * out + o]);
                assertThat(err).as("%s row %d col %d", what, r, o).isLessThanOrEqualTo(2e-3 * mass + 1e-5);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.rewoo4j.runtime.cuda.CudaGptqLayoutTest#fixtureLayers")
    void gptqProductsMatchTheCpuBackendAndTheEmulation(CudaGptqLayoutTest.Layer layer) {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(layer.file())) {
            GptqLinear cpu = GptqLinear.load(ckpt, layer.prefix(), layer.quant(), KernelThreads.serial());
            CudaGptqLayout layout = CudaGptqLayout.fromCheckpoint(ckpt, layer.prefix(), layer.quant(),
                    KernelThreads.serial());
            CudaLinear gpu = CudaLinear.upload(ctx, layout);
            DeviceMatrixTable table = DeviceMatrixTable.upload(ctx, new CudaLinear[][] {{gpu}}, new int[] {0});
            Random random = new Random(layer.prefix().hashCode());
            for (int rows : ROWS) {
                float[] x = CudaTestSupport.gaussian(random, rows * cpu.inFeatures(), 1.0);
                float[] y = run(table, x, rows, cpu.outFeatures());
                float[] want = cpu(cpu, x, rows);
                String what = layer + " rows " + rows;
                assertThat(CudaGptqLayoutTest.relativeL2(y, want)).as(what + " vs CPU").isLessThanOrEqualTo(TOLERANCE);
                assertThat(CudaGptqLayoutTest.relativeL2(y, CudaGptqLayoutTest.emulate(layout, x, rows)))
                        .as(what + " vs emulation").isLessThanOrEqualTo(TOLERANCE);
                assertElementwise(what, cpu, x, rows, y, want);
            }
        }
    }

    @Test
    void qkvMatricesWriteAtTheirColumnOffsetsOfOneRow() {
        Path dir = CudaGptqLayoutTest.resource("/models/mixtral-q4-g32-act-v1");
        var q = io.rewoo4j.runtime.config.QuantizationConfig.load(dir).orElseThrow();
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            String p = "model.layers.1.self_attn.";
            GptqLinear[] cpu = new GptqLinear[3];
            CudaLinear[] gpu = new CudaLinear[3];
            String[] names = {"q_proj", "k_proj", "v_proj"};
            CudaLinear.Staging staging = new CudaLinear.Staging(1 << 20);
            for (int m = 0; m < 3; m++) {
                cpu[m] = GptqLinear.load(ckpt, p + names[m], q, KernelThreads.serial());
                gpu[m] = CudaLinear.load(ctx, ckpt, p + names[m], q, KernelThreads.serial(), staging);
            }
            int qd = cpu[0].outFeatures();
            int kd = cpu[1].outFeatures();
            int width = qd + 2 * kd;
            DeviceMatrixTable table = DeviceMatrixTable.upload(ctx, new CudaLinear[][] {gpu},
                    new int[] {0, qd, qd + kd});
            assertThat(table.maxOut()).isEqualTo(qd);
            for (int rows : ROWS) {
                float[] x = CudaTestSupport.gaussian(new Random(rows), rows * 64, 1.0);
                float[] y = run(table, x, rows, width);
                float[] want = new float[rows * width];
                int[] offsets = {0, qd, qd + kd};
                for (int m = 0; m < 3; m++) {
                    float[] part = cpu(cpu[m], x, rows);
                    int out = cpu[m].outFeatures();
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(part, r * out, want, r * width + offsets[m], out);
                    }
                }
                assertThat(CudaGptqLayoutTest.relativeL2(y, want)).as("rows %d", rows).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    /** transformers' routing (softmax, top-k with ties to the lower index, renormalised), as the CPU backend. */
    static void route(float[] logits, int off, int n, int topK, int[] chosen, float[] weights) {
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < n; e++) {
            max = Math.max(max, logits[off + e]);
        }
        float[] p = new float[n];
        float sum = 0f;
        for (int e = 0; e < n; e++) {
            p[e] = (float) Math.exp(logits[off + e] - max);
            sum += p[e];
        }
        boolean[] taken = new boolean[n];
        float chosenSum = 0f;
        for (int j = 0; j < topK; j++) {
            int best = -1;
            for (int e = 0; e < n; e++) {
                if (!taken[e] && (best < 0 || p[e] > p[best])) {
                    best = e;
                }
            }
            taken[best] = true;
            chosen[j] = best;
            weights[j] = p[best] / sum;
            chosenSum += weights[j];
        }
        for (int j = 0; j < topK; j++) {
            weights[j] /= chosenSum;
        }
    }

    @Test
    void routedExpertsWithSiluTimesUpMatchTheHostMixture() {
        Path dir = CudaGptqLayoutTest.resource("/models/mixtral-q4-g32-act-v1");
        var q = io.rewoo4j.runtime.config.QuantizationConfig.load(dir).orElseThrow();
        int experts = 4;
        int topk = 2;
        int hidden = 64;
        int inter = 64;
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            String p = "model.layers.0.block_sparse_moe.experts.";
            GptqLinear[][] cpu = new GptqLinear[experts][3];
            CudaLinear[][] gateUp = new CudaLinear[experts][2];
            CudaLinear[][] down = new CudaLinear[experts][1];
            CudaLinear.Staging staging = new CudaLinear.Staging(1 << 20);
            for (int e = 0; e < experts; e++) {
                String[] w = {p + e + ".w1", p + e + ".w3", p + e + ".w2"};
                for (int m = 0; m < 3; m++) {
                    cpu[e][m] = GptqLinear.load(ckpt, w[m], q, KernelThreads.serial());
                }
                gateUp[e][0] = CudaLinear.load(ctx, ckpt, w[0], q, KernelThreads.serial(), staging);
                gateUp[e][1] = CudaLinear.load(ctx, ckpt, w[1], q, KernelThreads.serial(), staging);
                down[e][0] = CudaLinear.load(ctx, ckpt, w[2], q, KernelThreads.serial(), staging);
            }
            DeviceMatrixTable gu = DeviceMatrixTable.upload(ctx, gateUp, new int[] {0, inter});
            DeviceMatrixTable dn = DeviceMatrixTable.upload(ctx, down, new int[] {0});
            for (int rows : new int[] {1, 3, 16, 40}) {
                Random random = new Random(31 * rows);
                float[] x = CudaTestSupport.gaussian(random, rows * hidden, 1.0);
                float[] logits = CudaTestSupport.gaussian(random, rows * experts, 2.0);
                float[] residual = CudaTestSupport.gaussian(random, rows * hidden, 1.0);
                float[] y;
                try (DeviceBuffer xd = ctx.upload(x); DeviceBuffer ld = ctx.upload(logits);
                        DeviceBuffer ids = ctx.allocateInts((long) rows * topk);
                        DeviceBuffer wts = ctx.allocateFloats((long) rows * topk);
                        DeviceBuffer offs = ctx.allocateInts(experts + 1);
                        DeviceBuffer sorted = ctx.allocateInts((long) rows * topk);
                        DeviceBuffer h = ctx.allocateFloats((long) rows * topk * 2 * inter);
                        DeviceBuffer yd = ctx.upload(residual)) {
                    CudaNative.moeRoute(ctx.stream(), ld.address(), rows, experts, topk, ids.address(), wts.address(),
                            offs.address(), sorted.address());
                    ctx.zero(h);
                    var routing = new DeviceMatrixTable.Routing(topk, offs.address(), sorted.address(), wts.address());
                    gu.launch(ctx, xd.address(), hidden, rows, DeviceMatrixTable.INPUT_TOKEN,
                            DeviceMatrixTable.OUTPUT_TASK, h.address(), 2 * inter, rows * topk, routing, rows);
                    dn.launch(ctx, h.address(), 2 * inter, rows, DeviceMatrixTable.INPUT_SILU_MUL,
                            DeviceMatrixTable.OUTPUT_TOKEN_WEIGHTED, yd.address(), hidden, rows, routing, rows);
                    y = ctx.downloadFloats(yd);
                    int[] gotIds = ctx.downloadInts(ids);
                    int[] chosen = new int[topk];
                    float[] weights = new float[topk];
                    for (int r = 0; r < rows; r++) {
                        route(logits, r * experts, experts, topk, chosen, weights);
                        assertThat(new int[] {gotIds[r * topk], gotIds[r * topk + 1]}).as("experts of row %d", r)
                                .containsExactly(chosen);
                    }
                }
                // host: residual + sum_k w_k * w2(silu(w1 x) * w3 x)
                float[] want = residual.clone();
                int[] chosen = new int[topk];
                float[] weights = new float[topk];
                for (int r = 0; r < rows; r++) {
                    float[] xr = java.util.Arrays.copyOfRange(x, r * hidden, (r + 1) * hidden);
                    route(logits, r * experts, experts, topk, chosen, weights);
                    for (int k = 0; k < topk; k++) {
                        GptqLinear[] e = cpu[chosen[k]];
                        float[] g = cpu(e[0], xr, 1);
                        float[] u = cpu(e[1], xr, 1);
                        for (int i = 0; i < inter; i++) {
                            g[i] = g[i] / (1f + (float) Math.exp(-g[i])) * u[i];
                        }
                        float[] d = cpu(e[2], g, 1);
                        for (int o = 0; o < hidden; o++) {
                            want[r * hidden + o] += weights[k] * d[o];
                        }
                    }
                }
                assertThat(CudaGptqLayoutTest.relativeL2(y, want)).as("rows %d", rows).isLessThanOrEqualTo(5e-3);
            }
        }
    }

    @Test
    void denseFp16Bf16AndF32LayersMatchTheCpu() {
        Path file = CudaGptqLayoutTest.resource("/gptq/layers.safetensors");
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(file)) {
            CudaLinear.Staging staging = new CudaLinear.Staging(1 << 16);
            for (String name : new String[] {"dense_f16", "dense_bf16", "dense_f32"}) {
                DenseLinear cpu = DenseLinear.load(ckpt, name, KernelThreads.serial());
                CudaLinear gpu = CudaLinear.load(ctx, ckpt, name, null, KernelThreads.serial(), staging);
                assertThat(gpu.isGptq()).isFalse();
                assertThat(gpu.hasBias()).isEqualTo(name.equals("dense_f16"));
                DeviceMatrixTable table = DeviceMatrixTable.upload(ctx, new CudaLinear[][] {{gpu}}, new int[] {0});
                for (int rows : ROWS) {
                    float[] x = CudaTestSupport.gaussian(new Random(rows), rows * cpu.inFeatures(), 1.0);
                    float[] y = run(table, x, rows, cpu.outFeatures());
                    assertThat(CudaGptqLayoutTest.relativeL2(y, cpu(cpu, x, rows))).as("%s rows %d", name, rows)
                            .isLessThanOrEqualTo(TOLERANCE);
                }
            }
        }
    }
}
