package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.rewoo4j.runtime.config.CheckpointFormat;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.GptqLinear;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.safetensors.Float16;
import io.rewoo4j.runtime.safetensors.SafetensorsCheckpoint;
import io.rewoo4j.runtime.safetensors.TensorView;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The host repack into the device GPTQ layout: for every committed GPTQ fixture (the layer fixtures of
 * {@code resources/gptq} and every quantised projection of the model fixtures: 2/3/4/8 bits, act-order, one group,
 * v1 and v2 zeros) the layout decodes to exactly the values, zeros, groups and weights {@link GptqLinear} reads from
 * the checkpoint, for every (input, output); the slot tables are a permutation plus padding; odd shapes and groups
 * of odd sizes; the repack is independent of the thread count.
 *
 * <p>It also pins the arithmetic the device kernels are held to ({@link #emulate}): activations rounded to fp16,
 * {@code q − zero} exact, the group sum in fp32 multiplied by the fp32 scale. Against the CPU backend's product
 * that costs the fp16 rounding of x (relative 2^-11 per element at most): relative L2 error ≤
 * {@value #EMULATION_TOLERANCE} is required here, and the GPU test holds the device to the same bound.
 */
class CudaGptqLayoutTest {
    /** Emulated device arithmetic vs the CPU product (fp16 activations; about 2.5e-4 is typical). */
    static final double EMULATION_TOLERANCE = 1e-3;

    record Layer(String label, Path file, String prefix, QuantizationConfig quant) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Path resource(String name) {
        try {
            return Paths.get(CudaGptqLayoutTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every GPTQ layer of the committed fixtures. */
    static Stream<Layer> fixtureLayers() throws IOException {
        List<Layer> layers = new ArrayList<>();
        Path gptq = resource("/gptq");
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(gptq.resolve("cases.json")));
        for (JsonNode c : root.values()) {
            CheckpointFormat format = c.get("checkpoint_format").stringValue().equals("gptq_v2")
                    ? CheckpointFormat.GPTQ_V2 : CheckpointFormat.GPTQ_V1;
            QuantizationConfig q = new QuantizationConfig(c.get("bits").intValue(), c.get("group_size").intValue(),
                    c.get("desc_act").booleanValue(), c.get("sym").booleanValue(), format);
            String name = c.get("name").stringValue();
            layers.add(new Layer("gptq/" + name, gptq.resolve("layers.safetensors"), name, q));
        }
        Path models = resource("/models");
        try (Stream<Path> dirs = Files.list(models)) {
            for (Path dir : dirs.sorted().toList()) {
                if (!Files.isRegularFile(dir.resolve("config.json"))) {
                    continue;
                }
                Optional<QuantizationConfig> q = QuantizationConfig.load(dir);
                if (q.isEmpty()) {
                    continue;
                }
                try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
                    for (String t : ckpt.tensorNames().stream().sorted().toList()) {
                        if (t.endsWith(".qweight")) {
                            String prefix = t.substring(0, t.length() - ".qweight".length());
                            layers.add(new Layer(dir.getFileName() + "/" + prefix, dir, prefix, q.get()));
                        }
                    }
                }
            }
        }
        return layers.stream();
    }

    @Test
    void theFixturesCoverEveryWidthActOrderOneGroupAndBothZeroFormats() throws IOException {
        List<Layer> all = fixtureLayers().toList();
        assertThat(all.stream().map(l -> l.quant().bits()).distinct().sorted()).containsExactly(2, 3, 4, 8);
        assertThat(all).anyMatch(l -> l.quant().descAct());
        assertThat(all).anyMatch(l -> l.quant().groupSize() == -1);
        assertThat(all).anyMatch(l -> l.quant().format() == CheckpointFormat.GPTQ_V1);
        assertThat(all).anyMatch(l -> l.quant().format() == CheckpointFormat.GPTQ_V2);
        assertThat(all.stream().filter(l -> l.label().startsWith("mixtral")).count()).isGreaterThan(20);
    }

    @ParameterizedTest
    @MethodSource("fixtureLayers")
    void theDeviceLayoutDecodesToExactlyWhatTheCheckpointHolds(Layer layer) {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(layer.file())) {
            GptqLinear cpu = GptqLinear.load(ckpt, layer.prefix(), layer.quant(), KernelThreads.serial());
            CudaGptqLayout gpu = CudaGptqLayout.fromCheckpoint(ckpt, layer.prefix(), layer.quant(),
                    KernelThreads.withThreads(3));
            int in = cpu.inFeatures();
            int out = cpu.outFeatures();
            assertThat(gpu.inFeatures()).isEqualTo(in);
            assertThat(gpu.outFeatures()).isEqualTo(out);
            assertThat(gpu.groups()).isEqualTo(cpu.groups());
            assertThat(gpu.bits()).isEqualTo(cpu.bits());
            for (int i = 0; i < in; i++) {
                int slot = gpu.slotOf(i);
                assertThat(gpu.group(i)).as("group of input %d", i).isEqualTo(cpu.group(i));
                for (int o = 0; o < out; o++) {
                    int q = gpu.quantizedValue(slot, o);
                    if (q != cpu.quantizedValue(i, o)) {
                        assertThat(q).as("q[%d][%d]", i, o).isEqualTo(cpu.quantizedValue(i, o));
                    }
                    float w = gpu.weight(o, i);
                    if (Float.floatToIntBits(w) != Float.floatToIntBits(cpu.weight(o, i))) {
                        assertThat(w).as("W[%d][%d]", o, i).isEqualTo(cpu.weight(o, i));
                    }
                }
            }
            for (int g = 0; g < cpu.groups(); g++) {
                for (int o = 0; o < out; o++) {
                    assertThat(gpu.zero(g, o)).as("zero[%d][%d]", g, o).isEqualTo(cpu.zero(g, o));
                    assertThat(gpu.scale(g, o)).as("scale[%d][%d]", g, o).isEqualTo(cpu.scale(g, o));
                }
            }
            checkSlotTables(gpu);
            if (ckpt.contains(layer.prefix() + ".bias")) {
                assertThat(gpu.bias()).containsExactly(ckpt.tensor(layer.prefix() + ".bias").toFloatArray());
            } else {
                assertThat(gpu.hasBias()).isFalse();
            }
        }
    }

    /** slot_input is a permutation of the inputs plus −1 padding, group-sorted and stable; padding holds q = 0. */
    static void checkSlotTables(CudaGptqLayout gpu) {
        int[] slots = gpu.slotInput();
        int[] blockGroup = gpu.blockGroup();
        assertThat(slots).hasSize(gpu.blocks() * CudaGptqLayout.SLOTS);
        assertThat(blockGroup).hasSize(gpu.blocks());
        boolean[] seen = new boolean[gpu.inFeatures()];
        int lastInput = -1;
        int lastGroup = -1;
        for (int s = 0; s < slots.length; s++) {
            int g = blockGroup[s / CudaGptqLayout.SLOTS];
            assertThat(g).as("block groups ascend").isGreaterThanOrEqualTo(lastGroup);
            if (g != lastGroup) {
                lastInput = -1;
                lastGroup = g;
            }
            int i = slots[s];
            if (i < 0) {
                assertThat(i).isEqualTo(-1);
                for (int o = 0; o < gpu.outFeatures(); o++) {
                    assertThat(gpu.quantizedValue(s, o)).as("padding slot %d", s).isZero();
                }
                continue;
            }
            assertThat(seen[i]).as("input %d appears once", i).isFalse();
            seen[i] = true;
            assertThat(gpu.group(i)).isEqualTo(g);
            assertThat(gpu.slotOf(i)).isEqualTo(s);
            assertThat(i).as("stable within a group").isGreaterThan(lastInput);
            lastInput = i;
        }
        for (int i = 0; i < seen.length; i++) {
            assertThat(seen[i]).as("input %d has a slot", i).isTrue();
        }
        // padding only at the end of a group: a group of n inputs takes ceil(n / 32) blocks
        int[] perGroup = new int[gpu.groups()];
        for (int i = 0; i < gpu.inFeatures(); i++) {
            perGroup[gpu.group(i)]++;
        }
        int blocks = 0;
        for (int n : perGroup) {
            blocks += (n + 31) / 32;
        }
        assertThat(gpu.blocks()).isEqualTo(blocks);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Synthetic layers: odd shapes, odd group sizes, every width, both repack paths
    // ---------------------------------------------------------------------------------------------------------

    /** A layer's values in checkpoint form. */
    record Source(int in, int out, int bits, int[] q, int[] zeros, short[] scales, int[] gIdx, float[] bias) {
        /** The checkpoint packing: column o is an LSB-first bit stream of q[0..in)[o]. */
        IntBuffer packed() {
            int rows = in * bits / 32;
            int[] words = new int[rows * out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    long bit = (long) i * bits;
                    int r = (int) (bit >>> 5);
                    int shift = (int) (bit & 31);
                    int v = q[i * out + o];
                    words[r * out + o] |= v << shift;
                    if (shift + bits > 32) {
                        words[(r + 1) * out + o] |= v >>> (32 - shift);
                    }
                }
            }
            return IntBuffer.wrap(words);
        }

        CudaGptqLayout layout(KernelThreads threads) {
            return CudaGptqLayout.build(in, out, bits, packed(), zeros, scales, gIdx, bias, threads,
                    ByteBuffer::allocateDirect);
        }

        int groups() {
            return zeros.length / out;
        }

        float weight(int o, int i) {
            int g = gIdx[i];
            return Float16.toFloat(scales[g * out + o]) * (q[i * out + o] - zeros[g * out + o]);
        }
    }

    /** Random values for groups of the given sizes, inputs assigned to groups in a random order. */
    static Source random(int out, int bits, int[] groupSizes, boolean shuffle, boolean bias, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int in = Arrays.stream(groupSizes).sum();
        int[] gIdx = new int[in];
        int k = 0;
        for (int g = 0; g < groupSizes.length; g++) {
            for (int j = 0; j < groupSizes[g]; j++) {
                gIdx[k++] = g;
            }
        }
        if (shuffle) {
            for (int i = in - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = gIdx[i];
                gIdx[i] = gIdx[j];
                gIdx[j] = t;
            }
        }
        int[] q = new int[in * out];
        for (int i = 0; i < q.length; i++) {
            q[i] = r.nextInt(1 << bits);
        }
        int groups = groupSizes.length;
        int[] zeros = new int[groups * out];
        short[] scales = new short[groups * out];
        for (int i = 0; i < zeros.length; i++) {
            zeros[i] = r.nextInt((1 << bits) + 1); // v1 can reach 2^bits
            scales[i] = CudaGptqLayout.floatToHalf((float) (0.001 + 0.05 * r.nextDouble()));
        }
        float[] b = null;
        if (bias) {
            b = new float[out];
            for (int o = 0; o < out; o++) {
                b[o] = (float) r.nextGaussian();
            }
        }
        return new Source(in, out, bits, q, zeros, scales, gIdx, b);
    }

    static void checkDecodes(Source src, CudaGptqLayout gpu) {
        assertThat(gpu.groups()).isEqualTo(src.groups());
        for (int i = 0; i < src.in(); i++) {
            assertThat(gpu.group(i)).isEqualTo(src.gIdx()[i]);
            int slot = gpu.slotOf(i);
            for (int o = 0; o < src.out(); o++) {
                int want = src.q()[i * src.out() + o];
                int got = gpu.quantizedValue(slot, o);
                if (got != want) {
                    assertThat(got).as("q[%d][%d]", i, o).isEqualTo(want);
                }
                assertThat(gpu.weight(o, i)).isEqualTo(src.weight(o, i));
            }
        }
        for (int g = 0; g < src.groups(); g++) {
            for (int o = 0; o < src.out(); o++) {
                assertThat(gpu.zero(g, o)).isEqualTo(src.zeros()[g * src.out() + o]);
                assertThat(gpu.scaleBits(g, o)).isEqualTo(src.scales()[g * src.out() + o]);
            }
        }
        checkSlotTables(gpu);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void oddShapesAndGroupsOfOddSizesDecodeExactly(int bits) {
        // in 96 = groups of 33, 31 and 32 (act-order style shuffle); out 129 (not a multiple of anything)
        Source src = random(129, bits, new int[] {33, 31, 32}, true, true, 7 + bits);
        CudaGptqLayout gpu = src.layout(KernelThreads.serial());
        assertThat(gpu.blocks()).isEqualTo(2 + 1 + 1);
        long padding = Arrays.stream(gpu.slotInput()).filter(s -> s < 0).count();
        assertThat(padding).isEqualTo(31 + 1);
        checkDecodes(src, gpu);
        assertThat(gpu.bias()).containsExactly(src.bias());
        assertThat(gpu.qweight().remaining()).isEqualTo(4 * 129 * bits * 4);
        assertThat(gpu.scaleZero().remaining()).isEqualTo(3 * 129 * 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void sequentialGroupsTakeTheWordPathAndDecodeExactly(int bits) {
        // aligned blocks (whole words per block) for 2/4/8 bits; 3 bits always goes value by value
        Source src = random(600, bits, new int[] {64, 64, 64, 32}, false, false, 11 + bits);
        CudaGptqLayout gpu = src.layout(KernelThreads.withThreads(4));
        assertThat(gpu.slotInput()).containsExactly(java.util.stream.IntStream.range(0, 224).toArray());
        checkDecodes(src, gpu);
        assertThat(gpu.blocks()).isEqualTo(7);
        assertThat(gpu.deviceBytes()).isEqualTo(CudaGptqLayout.deviceBytes(224, 600, bits, 64));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void theRepackIsIndependentOfTheThreadCount(int bits) {
        Source src = random(777, bits, new int[] {128, 128, 96}, true, false, 23 + bits);
        ByteBuffer serial = src.layout(KernelThreads.serial()).qweight();
        ByteBuffer parallel = src.layout(KernelThreads.withThreads(5)).qweight();
        assertThat(parallel).isEqualTo(serial);
        Source seq = random(777, bits, new int[] {128, 128, 96}, false, false, 29 + bits);
        assertThat(seq.layout(KernelThreads.withThreads(5)).qweight()).isEqualTo(seq.layout(KernelThreads.serial())
                .qweight());
    }

    @Test
    void fourBitWordsHoldEvenAndOddSlotsAsAHalf2Pair() {
        // ((w >> 4k) & 0x000F000F) | 0x64006400 is the half2 (1024 + q[8j+2k], 1024 + q[8j+2k+1])
        Source src = random(40, 4, new int[] {64, 32}, true, false, 3);
        CudaGptqLayout gpu = src.layout(KernelThreads.serial());
        IntBuffer words = gpu.qweight().asIntBuffer();
        for (int b = 0; b < gpu.blocks(); b++) {
            for (int o = 0; o < 40; o++) {
                for (int j = 0; j < 4; j++) {
                    int w = words.get((b * 40 + o) * 4 + j);
                    for (int k = 0; k < 4; k++) {
                        int pair = ((w >>> (4 * k)) & 0x000F000F) | 0x64006400;
                        float lo = Float16.toFloat((short) pair);
                        float hi = Float16.toFloat((short) (pair >>> 16));
                        assertThat(lo).isEqualTo(1024f + gpu.quantizedValue(b * 32 + 8 * j + 2 * k, o));
                        assertThat(hi).isEqualTo(1024f + gpu.quantizedValue(b * 32 + 8 * j + 2 * k + 1, o));
                    }
                }
            }
        }
        // scale_zero: .x the scale, .y 1024 + zero, both fp16, x in the low half of the little-endian word
        IntBuffer sz = gpu.scaleZero().asIntBuffer();
        int v = sz.get(1 * 40 + 5);
        assertThat((short) v).isEqualTo(src.scales()[40 + 5]);
        assertThat(Float16.toFloat((short) (v >>> 16))).isEqualTo(1024f + src.zeros()[40 + 5]);
    }

    @Test
    void threeBitBlocksAreALowTwoBitPlaneAndAHighBitPlane() {
        Source src = random(3, 3, new int[] {32}, false, false, 5);
        CudaGptqLayout gpu = src.layout(KernelThreads.serial());
        IntBuffer words = gpu.qweight().asIntBuffer();
        for (int o = 0; o < 3; o++) {
            for (int s = 0; s < 32; s++) {
                int q = src.q()[s * 3 + o];
                int low = words.get(o * 3 + s / 16) >>> (2 * (s % 16)) & 3;
                int high = words.get(o * 3 + 2) >>> s & 1;
                assertThat(low | high << 2).isEqualTo(q);
            }
        }
    }

    @Test
    void invalidInputIsRejected() {
        Source src = random(8, 4, new int[] {32}, false, false, 1);
        int[] badZeros = src.zeros().clone();
        badZeros[0] = 1024;
        assertThatThrownBy(() -> CudaGptqLayout.build(32, 8, 4, src.packed(), badZeros, src.scales(), src.gIdx(),
                null, KernelThreads.serial(), ByteBuffer::allocateDirect)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero point 1024");
        int[] badGroups = src.gIdx().clone();
        badGroups[3] = 1;
        assertThatThrownBy(() -> CudaGptqLayout.build(32, 8, 4, src.packed(), src.zeros(), src.scales(), badGroups,
                null, KernelThreads.serial(), ByteBuffer::allocateDirect)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input row 3 names group 1");
        assertThatThrownBy(() -> CudaGptqLayout.build(32, 8, 5, src.packed(), src.zeros(), src.scales(), src.gIdx(),
                null, KernelThreads.serial(), ByteBuffer::allocateDirect)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bits 5");
        assertThatThrownBy(() -> CudaGptqLayout.build(32, 8, 4, src.packed(), src.zeros(), src.scales(), src.gIdx(),
                null, KernelThreads.serial(), ByteBuffer::allocate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("direct buffer");
    }

    @Test
    void blockCountsForEqualGroups() {
        assertThat(CudaGptqLayout.blocksFor(4096, 128)).isEqualTo(128);
        assertThat(CudaGptqLayout.blocksFor(14336, 128)).isEqualTo(448);
        assertThat(CudaGptqLayout.blocksFor(160, -1)).isEqualTo(5);
        assertThat(CudaGptqLayout.blocksFor(96, 40)).isEqualTo(2 + 2 + 1); // 40, 40, 16
        assertThat(CudaGptqLayout.groupsFor(96, 40)).isEqualTo(3);
        assertThat(CudaGptqLayout.groupsFor(96, -1)).isEqualTo(1);
    }

    @Test
    void deviceMatrixRecordsAreWrittenAtTheOffsetsOfTheHeader() {
        var a = new DeviceMatrixTable.Entry(0x1111_0000_0001L, 0x2222L, 0x3333L, 0x4444L, 0L, 0x6666L,
                DeviceMatrixTable.KIND_GPTQ, 4, 4096, 14336, 128, 32, 0);
        var b = new DeviceMatrixTable.Entry(0L, 0L, 0L, 0L, 0x5555L, 0L, DeviceMatrixTable.KIND_DENSE, 0, 64, 8, 0, 0,
                96);
        ByteBuffer t = DeviceMatrixTable.encode(List.of(a, b));
        assertThat(t.capacity()).isEqualTo(2 * 96);
        assertThat(t.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        // struct DeviceMatrix: qweight 0, scale_zero 8, block_group 16, slot_input 24, dense 32, bias 40,
        // reserved 48, kind 56, bits 60, in 64, out 68, blocks 72, groups 76, y_col_offset 80, pad 84..95
        assertThat(t.getLong(0)).isEqualTo(0x1111_0000_0001L);
        assertThat(t.get(0)).isEqualTo((byte) 1); // little-endian
        assertThat(t.getLong(8)).isEqualTo(0x2222L);
        assertThat(t.getLong(16)).isEqualTo(0x3333L);
        assertThat(t.getLong(24)).isEqualTo(0x4444L);
        assertThat(t.getLong(40)).isEqualTo(0x6666L);
        assertThat(t.getLong(48)).isZero();
        assertThat(new int[] {t.getInt(56), t.getInt(60), t.getInt(64), t.getInt(68), t.getInt(72), t.getInt(76),
            t.getInt(80), t.getInt(84), t.getInt(88), t.getInt(92)}).containsExactly(0, 4, 4096, 14336, 128, 32, 0, 0,
                0, 0);
        assertThat(t.getLong(96 + 32)).isEqualTo(0x5555L);
        assertThat(t.getInt(96 + 56)).isEqualTo(1);
        assertThat(t.getInt(96 + 80)).isEqualTo(96);
        assertThat(DeviceMatrixTable.decode(t, 0)).isEqualTo(a);
        assertThat(DeviceMatrixTable.decode(t, 1)).isEqualTo(b);
        DeviceMatrixTable.checkNativeLayout(new int[] {96, 56, 80});
        assertThatThrownBy(() -> DeviceMatrixTable.checkNativeLayout(new int[] {104, 56, 80}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[104, 56, 80]");
    }

    @Test
    void rotaryTablesRotateExactlyAsTheCpuBackend() {
        RotaryTables t = RotaryTables.compute(16, 1_000_000.0, 64);
        float[] inv = RotaryTables.inverseFrequencies(16, 1_000_000.0);
        for (int pos : new int[] {0, 1, 7, 63}) {
            for (int i = 0; i < 8; i++) {
                float angle = pos * inv[i];
                assertThat(t.cos()[pos * 8 + i]).isEqualTo((float) Math.cos(angle));
                assertThat(t.sin()[pos * 8 + i]).isEqualTo((float) Math.sin(angle));
            }
        }
        // inverse frequencies as transformers rounds them: 1 / theta^(2i/d) with the exponent and power in fp32
        assertThat(inv[0]).isEqualTo(1f);
        assertThat(inv[1]).isEqualTo((float) (1.0 / (float) Math.pow(1_000_000.0, 2f / 16)));
        float[] v = input(32, 4);
        float[] w = v.clone();
        t.rotate(w, 16, 5);
        assertThat(Arrays.copyOf(w, 16)).containsExactly(Arrays.copyOf(v, 16));
        double before = 0;
        double after = 0;
        for (int k = 16; k < 32; k++) {
            before += (double) v[k] * v[k];
            after += (double) w[k] * w[k];
        }
        assertThat(after).isCloseTo(before, org.assertj.core.data.Offset.offset(1e-4 * before));
    }

    // ---------------------------------------------------------------------------------------------------------
    // fp16 conversion
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void floatToHalfRoundTripsEveryHalfAndRoundsToNearestEven() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = Float16.toFloat((short) h);
            short back = CudaGptqLayout.floatToHalf(f);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(Float16.toFloat(back))).isTrue();
            } else {
                assertThat(back & 0xFFFF).as("half 0x%04x", h).isEqualTo(h);
            }
        }
        // ties: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 -> even (1); 1 + 3·2^-11 -> 1 + 2^-9
        assertThat(CudaGptqLayout.floatToHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3C00);
        assertThat(CudaGptqLayout.floatToHalf(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3C02);
        assertThat(CudaGptqLayout.floatToHalf(65519f)).isEqualTo((short) 0x7BFF);
        assertThat(CudaGptqLayout.floatToHalf(65520f)).isEqualTo((short) 0x7C00);
        assertThat(CudaGptqLayout.floatToHalf(-1e9f)).isEqualTo((short) 0xFC00);
        assertThat(CudaGptqLayout.floatToHalf(0x1p-25f)).isEqualTo((short) 0); // tie to even zero
        assertThat(CudaGptqLayout.floatToHalf(0x1.8p-25f)).isEqualTo((short) 1);
        assertThat(CudaGptqLayout.floatToHalf(3 * 0x1p-25f)).isEqualTo((short) 2); // 1.5 ulp -> even 2
        assertThat(CudaGptqLayout.floatToHalf(-0f)).isEqualTo((short) 0x8000);
        // a random sweep against the exact nearest representable value
        SplittableRandom r = new SplittableRandom(9);
        for (int n = 0; n < 200_000; n++) {
            float f = (float) ((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(-26, 17)));
            short bits = CudaGptqLayout.floatToHalf(f);
            double err = Math.abs((double) Float16.toFloat(bits) - f);
            int magnitude = bits & 0x7FFF;
            for (int m : new int[] {magnitude - 1, magnitude + 1}) {
                if (m >= 0 && m < 0x7C00) {
                    float neighbour = Float16.toFloat((short) ((bits & 0x8000) | m));
                    assertThat(err).as("%s", f).isLessThanOrEqualTo(Math.abs((double) neighbour - f));
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The device arithmetic, emulated
    // ---------------------------------------------------------------------------------------------------------

    /**
     * The product the device kernels compute from the layout, in Java: x rounded to fp16, per group the fp32 sum
     * over its slots (in slot order) of {@code (q − zero)·x_h} (each product exact in fp32), multiplied by the fp32
     * scale and summed over groups in block order; bias added last. [rows][out].
     */
    static float[] emulate(CudaGptqLayout layout, float[] x, int rows) {
        int in = layout.inFeatures();
        int out = layout.outFeatures();
        int[] slots = layout.slotInput();
        int[] blockGroup = layout.blockGroup();
        float[] bias = layout.bias();
        float[] y = new float[rows * out];
        for (int r = 0; r < rows; r++) {
            float[] xh = new float[slots.length];
            for (int s = 0; s < slots.length; s++) {
                xh[s] = slots[s] < 0 ? 0f : Float16.toFloat(CudaGptqLayout.floatToHalf(x[r * in + slots[s]]));
            }
            for (int o = 0; o < out; o++) {
                float acc = 0f;
                int b = 0;
                while (b < layout.blocks()) {
                    int g = blockGroup[b];
                    int z = layout.zero(g, o);
                    float sum = 0f;
                    for (; b < layout.blocks() && blockGroup[b] == g; b++) {
                        for (int s = b * 32; s < b * 32 + 32; s++) {
                            sum += (layout.quantizedValue(s, o) - z) * xh[s];
                        }
                    }
                    acc += layout.scale(g, o) * sum;
                }
                y[r * out + o] = acc + (bias == null ? 0f : bias[o]);
            }
        }
        return y;
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

    static float[] input(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("fixtureLayers")
    void theEmulatedDeviceArithmeticMatchesTheCpuProduct(Layer layer) {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(layer.file())) {
            GptqLinear cpu = GptqLinear.load(ckpt, layer.prefix(), layer.quant(), KernelThreads.serial());
            CudaGptqLayout gpu = CudaGptqLayout.fromCheckpoint(ckpt, layer.prefix(), layer.quant(),
                    KernelThreads.serial());
            int rows = 3;
            float[] x = input(rows * cpu.inFeatures(), layer.prefix().hashCode());
            float[] want = new float[rows * cpu.outFeatures()];
            cpu.matmul(x, rows, want);
            double err = relativeL2(emulate(gpu, x, rows), want);
            assertThat(err).as("%s", layer).isLessThanOrEqualTo(EMULATION_TOLERANCE);
            // and it is not exact: the fp16 rounding of x is visible (the bound is not vacuous)
            assertThat(err).isGreaterThan(1e-6);
        }
    }

    @Test
    void theEmulationMatchesTheFloat64ExpectationOfTheLayerFixtures() throws IOException {
        Path gptq = resource("/gptq");
        try (SafetensorsCheckpoint layers = SafetensorsCheckpoint.open(gptq.resolve("layers.safetensors"));
                SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(gptq.resolve("expected.safetensors"))) {
            for (Layer l : fixtureLayers().filter(l -> l.label().startsWith("gptq/")).toList()) {
                CudaGptqLayout gpu = CudaGptqLayout.fromCheckpoint(layers, l.prefix(), l.quant(),
                        KernelThreads.serial());
                TensorView xv = expected.tensor(l.prefix() + ".x");
                float[] y = emulate(gpu, xv.toFloatArray(), xv.dim(0));
                assertThat(relativeL2(y, expected.tensor(l.prefix() + ".y").toFloatArray())).as("%s", l)
                        .isLessThanOrEqualTo(EMULATION_TOLERANCE);
            }
        }
    }

    @Test
    void anAllocatorsBuffersAreUsedAsGiven() {
        Source src = random(64, 4, new int[] {32, 32}, false, false, 2);
        ByteBuffer arena = ByteBuffer.allocateDirect(1 << 16);
        int[] used = {0};
        CudaGptqLayout gpu = CudaGptqLayout.build(src.in(), src.out(), 4, src.packed(), src.zeros(), src.scales(),
                src.gIdx(), null, KernelThreads.serial(), bytes -> {
                    ByteBuffer s = arena.duplicate();
                    s.position(used[0]).limit(used[0] + bytes);
                    used[0] += bytes;
                    return s.slice();
                });
        assertThat(used[0]).isEqualTo(2 * 64 * 4 * 4 + 2 * 64 * 4);
        assertThat(gpu.qweight().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        checkDecodes(src, gpu);
    }
}
