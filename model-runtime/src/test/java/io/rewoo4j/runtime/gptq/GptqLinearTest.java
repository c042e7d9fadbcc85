package io.rewoo4j.runtime.gptq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.rewoo4j.runtime.config.CheckpointFormat;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.safetensors.CorruptCheckpointException;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks every GPTQ fixture written by scripts/gptq/make_fixtures.py against the expected values that script
 * computed in float64 from the unpacked integers. Tolerance: relative L2 error ≤ 1e-5 (fp32 accumulation).
 */
class GptqLinearTest {
    static final double TOLERANCE = 1e-5;

    record Case(String name, QuantizationConfig quant, int in, int out, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static SafetensorsCheckpoint layers;
    static SafetensorsCheckpoint expected;
    static KernelThreads fourThreads;

    static Path resource(String name) throws Exception {
        return Paths.get(GptqLinearTest.class.getResource("/gptq/" + name).toURI());
    }

    @BeforeAll
    static void open() throws Exception {
        layers = SafetensorsCheckpoint.open(resource("layers.safetensors"));
        expected = SafetensorsCheckpoint.open(resource("expected.safetensors"));
        fourThreads = KernelThreads.withThreads(4);
    }

    @AfterAll
    static void close() {
        layers.close();
        expected.close();
    }

    static Stream<Case> cases() throws Exception {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(resource("cases.json")));
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.values()) {
            CheckpointFormat format = c.get("checkpoint_format").stringValue().equals("gptq_v2")
                    ? CheckpointFormat.GPTQ_V2 : CheckpointFormat.GPTQ_V1;
            cases.add(new Case(c.get("name").stringValue(), new QuantizationConfig(c.get("bits").intValue(),
                    c.get("group_size").intValue(), c.get("desc_act").booleanValue(), c.get("sym").booleanValue(),
                    format), c.get("in_features").intValue(), c.get("out_features").intValue(),
                    c.get("bias").booleanValue()));
        }
        return cases.stream();
    }

    static double relativeL2(float[] actual, float[] want) {
        assertThat(actual).hasSameSizeAs(want);
        double num = 0;
        double den = 0;
        for (int i = 0; i < want.length; i++) {
            double d = (double) actual[i] - want[i];
            num += d * d;
            den += (double) want[i] * want[i];
        }
        return Math.sqrt(num / den);
    }

    private static float[] run(Linear linear, float[] x, int rows) {
        float[] y = new float[rows * linear.outFeatures()];
        linear.matmul(x, rows, y);
        return y;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void dequantisedWeightsMatch(Case c) {
        GptqLinear linear = GptqLinear.load(layers, c.name(), c.quant(), KernelThreads.serial());
        assertThat(linear.inFeatures()).isEqualTo(c.in());
        assertThat(linear.outFeatures()).isEqualTo(c.out());
        float[] want = expected.tensor(c.name() + ".weight").toFloatArray();
        assertThat(relativeL2(linear.dequantize(), want)).isLessThanOrEqualTo(TOLERANCE);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void productsMatchForOneRowAndForABatch(Case c) {
        Linear linear = Linear.load(layers, c.name(), c.quant(), KernelThreads.serial());
        assertThat(linear).isInstanceOf(GptqLinear.class);
        TensorView xv = expected.tensor(c.name() + ".x");
        float[] x = xv.toFloatArray();
        float[] want = expected.tensor(c.name() + ".y").toFloatArray();
        int rows = xv.dim(0);
        assertThat(relativeL2(run(linear, x, rows), want)).as("batched").isLessThanOrEqualTo(TOLERANCE);
        float[] perRow = new float[rows * c.out()];
        for (int r = 0; r < rows; r++) {
            float[] xr = java.util.Arrays.copyOfRange(x, r * c.in(), (r + 1) * c.in());
            float[] yr = new float[c.out()];
            linear.matvec(xr, yr);
            System.arraycopy(yr, 0, perRow, r * c.out(), c.out());
        }
        assertThat(relativeL2(perRow, want)).as("matvec").isLessThanOrEqualTo(TOLERANCE);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void multiThreadedEqualsSingleThreaded(Case c) {
        Linear serial = Linear.load(layers, c.name(), c.quant(), KernelThreads.serial());
        Linear parallel = Linear.load(layers, c.name(), c.quant(), fourThreads);
        float[] x = expected.tensor(c.name() + ".x").toFloatArray();
        int rows = x.length / c.in();
        assertThat(run(parallel, x, rows)).containsExactly(run(serial, x, rows));
        float[] x0 = java.util.Arrays.copyOf(x, c.in());
        assertThat(run(parallel, x0, 1)).containsExactly(run(serial, x0, 1));
    }

    @Test
    void threeBitValuesAreBitExactAcrossWordBoundaries() {
        for (String name : List.of("q3_g128_v1", "q3_g32_act_asym_v2")) {
            Case c = cases0(name);
            GptqLinear linear = GptqLinear.load(layers, name, c.quant(), KernelThreads.serial());
            TensorView q = expected.tensor(name + ".q");
            TensorView z = expected.tensor(name + ".zeros");
            int straddling = 0;
            for (int i = 0; i < c.in(); i++) {
                for (int o = 0; o < c.out(); o++) {
                    assertThat(linear.quantizedValue(i, o)).as("q[%d][%d]", i, o).isEqualTo(q.getInt((long) i * c.out() + o));
                }
                if (i % 32 == 10 || i % 32 == 21) {
                    straddling++;
                }
            }
            assertThat(straddling).isGreaterThan(0);
            for (int g = 0; g < linear.groups(); g++) {
                for (int o = 0; o < c.out(); o++) {
                    assertThat(linear.zero(g, o)).as("zero[%d][%d]", g, o).isEqualTo(z.getInt((long) g * c.out() + o));
                }
            }
        }
    }

    @Test
    void v1StoresZeroMinusOne() {
        // the same packed tensors read as v2 give zeros one lower than read as v1
        Case c = cases0("q4_g32_v1");
        GptqLinear v1 = GptqLinear.load(layers, c.name(), c.quant(), KernelThreads.serial());
        QuantizationConfig asV2 = new QuantizationConfig(4, 32, false, true, CheckpointFormat.GPTQ_V2);
        GptqLinear v2 = GptqLinear.load(layers, c.name(), asV2, KernelThreads.serial());
        assertThat(v1.zero(0, 0)).isEqualTo(8); // symmetric 4-bit: zero 8, stored 7
        assertThat(v2.zero(0, 0)).isEqualTo(7);
    }

    @Test
    void kernelsChosenByGroupLayout() {
        assertThat(GptqLinear.load(layers, "q4_g32_v1", cases0("q4_g32_v1").quant(), KernelThreads.serial())
                .hasSequentialGroups()).isTrue();
        assertThat(GptqLinear.load(layers, "q4_g32_act_v1", cases0("q4_g32_act_v1").quant(), KernelThreads.serial())
                .hasSequentialGroups()).isFalse();
    }

    @Test
    void denseLayersMatch() {
        for (String name : List.of("dense_f16", "dense_bf16", "dense_f32")) {
            Linear linear = Linear.load(layers, name, null, fourThreads);
            assertThat(linear).isInstanceOf(DenseLinear.class);
            TensorView xv = expected.tensor(name + ".x");
            float[] want = expected.tensor(name + ".y").toFloatArray();
            assertThat(relativeL2(run(linear, xv.toFloatArray(), xv.dim(0)), want)).as(name)
                    .isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void mixedCheckpointLoadsEachLayerByWhatItHolds() throws Exception {
        QuantizationConfig q = new QuantizationConfig(4, 32, false, true, CheckpointFormat.GPTQ_V1);
        try (SafetensorsCheckpoint sharded = SafetensorsCheckpoint.open(resource("sharded"))) {
            Linear attn = Linear.load(sharded, "model.layers.0.self_attn.q_proj", q);
            Linear router = Linear.load(sharded, "model.layers.0.block_sparse_moe.gate", q);
            assertThat(attn).isInstanceOf(GptqLinear.class);
            assertThat(router).isInstanceOf(DenseLinear.class);
            assertThat(router.outFeatures()).isEqualTo(8);
            float[] x = expected.tensor("q4_g32_v1.x").toFloatArray();
            float[] y = new float[attn.outFeatures()];
            attn.matvec(x, y);
            float[] want = java.util.Arrays.copyOf(expected.tensor("q4_g32_v1.y").toFloatArray(), 64);
            assertThat(relativeL2(y, want)).isLessThanOrEqualTo(TOLERANCE);
            assertThatThrownBy(() -> Linear.load(sharded, "model.layers.0.mlp.up_proj", q))
                    .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("up_proj");
            assertThatThrownBy(() -> Linear.load(sharded, "model.layers.0.self_attn.q_proj", null))
                    .hasMessageContaining("no quantization config");
        }
    }

    @Test
    void shapeMismatchesAreNamed() {
        // group size 64 does not match the 4 groups stored for in=128 at g32
        QuantizationConfig wrong = new QuantizationConfig(4, 64, true, true, CheckpointFormat.GPTQ_V1);
        assertThatThrownBy(() -> GptqLinear.load(layers, "q4_g32_act_v1", wrong, KernelThreads.serial()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("layers.safetensors")
                .hasMessageContaining("q4_g32_act_v1.scales").hasMessageContaining("group_size 64");
        QuantizationConfig wrongBits = new QuantizationConfig(8, 32, true, true, CheckpointFormat.GPTQ_V1);
        assertThatThrownBy(() -> GptqLinear.load(layers, "q4_g32_act_v1", wrongBits, KernelThreads.serial()))
                .isInstanceOf(CorruptCheckpointException.class);
    }

    private static Case cases0(String name) {
        try {
            return cases().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
