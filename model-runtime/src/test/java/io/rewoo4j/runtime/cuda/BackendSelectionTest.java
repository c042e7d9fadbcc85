package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.rewoo4j.runtime.config.ModelConfig;
import io.rewoo4j.runtime.config.QuantizationConfig;
import io.rewoo4j.runtime.gptq.KernelThreads;
import io.rewoo4j.runtime.model.Backend;
import io.rewoo4j.runtime.model.LoadedModel;
import io.rewoo4j.runtime.model.Session;

/**
 * Backend names and the AUTO / CPU / CUDA decision: the decision itself on made-up device lists (runs anywhere), and
 * loading a fixture on a machine without CUDA (skipped where a device is usable; CudaModelTest covers that case).
 */
class BackendSelectionTest {
    static final Path MODEL = CudaGptqLayoutTest.resource("/models/mixtral-q4-g32-act-v1");
    static final String NO_DEVICE = "no CUDA device: cudaGetDeviceCount: no CUDA-capable device is detected";

    static CudaDevice device(int index, String name, long freeGb) {
        return new CudaDevice(index, name, 9, 0, 80L << 30, freeGb << 30, 132, 50L << 20, 5120, 2_619_000L);
    }

    static CudaMemoryEstimate mixtral() {
        Path config = CudaGptqLayoutTest.resource("/gptq/configs/mixtral-8x7b-instruct-gptq.json");
        ModelConfig c = ModelConfig.load(config);
        QuantizationConfig q = new QuantizationConfig(4, 128, true, true,
                io.rewoo4j.runtime.config.CheckpointFormat.GPTQ_V1);
        return CudaMemoryEstimate.of(c, Optional.of(q), c.maxPositionEmbeddings(), 1); // about 30 GB in all
    }

    @Test
    void namesAreCaseInsensitiveAndAWrongOneListsTheChoices() {
        assertThat(Backend.fromName("auto")).isEqualTo(Backend.AUTO);
        assertThat(Backend.fromName("CPU")).isEqualTo(Backend.CPU);
        assertThat(Backend.fromName(" Cuda ")).isEqualTo(Backend.CUDA);
        assertThatThrownBy(() -> Backend.fromName("gpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'gpu'").hasMessageContaining("auto, cpu, cuda");
        assertThatThrownBy(() -> Backend.fromName(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, cpu, cuda");
        assertThat(Backend.CUDA.configName()).isEqualTo("cuda");
    }

    @Test
    void autoFallsBackToTheCpuWithTheReasonWhenThereIsNoDevice() {
        CudaAvailability none = new CudaAvailability(false, NO_DEVICE, List.of(), "");
        LoadedModel.BackendChoice c = LoadedModel.chooseBackend(Backend.AUTO, none, mixtral());
        assertThat(c.backend()).isEqualTo(Backend.CPU);
        assertThat(c.device()).isEmpty();
        assertThat(c.note()).contains(NO_DEVICE);
    }

    @Test
    void autoTakesTheRoomiestDeviceWhenTheModelFits() {
        CudaAvailability two = new CudaAvailability(true, "", List.of(device(0, "small", 20), device(1, "big", 79)),
                "test");
        LoadedModel.BackendChoice c = LoadedModel.chooseBackend(Backend.AUTO, two, mixtral());
        assertThat(c.backend()).isEqualTo(Backend.CUDA);
        assertThat(c.device().orElseThrow().name()).isEqualTo("big");
        assertThat(c.note()).isEmpty();
        assertThat(LoadedModel.chooseBackend(Backend.CUDA, two, mixtral()).device().orElseThrow().index())
                .isEqualTo(1);
    }

    @Test
    void autoFallsBackWhenTheModelDoesNotFitAndCudaThenFailsWithTheNumbers() {
        CudaAvailability small = new CudaAvailability(true, "", List.of(device(0, "card A", 24), device(1,
                "card B", 16)), "test");
        LoadedModel.BackendChoice c = LoadedModel.chooseBackend(Backend.AUTO, small, mixtral());
        assertThat(c.backend()).isEqualTo(Backend.CPU);
        assertThat(c.note().orElseThrow()).contains("25.24 GB weights").contains("card A").contains("25.77 GB free");
        assertThatThrownBy(() -> LoadedModel.chooseBackend(Backend.CUDA, small, mixtral()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CUDA backend was requested")
                .hasMessageContaining("card A");
    }

    @Test
    void cudaRequestedWithoutADeviceFailsWithTheReasonAndCpuIsAlwaysTheCpu() {
        CudaAvailability none = new CudaAvailability(false, NO_DEVICE, List.of(), "");
        assertThatThrownBy(() -> LoadedModel.chooseBackend(Backend.CUDA, none, mixtral()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(NO_DEVICE);
        CudaAvailability big = new CudaAvailability(true, "", List.of(device(0, "big", 79)), "test");
        LoadedModel.BackendChoice cpu = LoadedModel.chooseBackend(Backend.CPU, big, mixtral());
        assertThat(cpu.backend()).isEqualTo(Backend.CPU);
        assertThat(cpu.note()).isEmpty();
    }

    // ---- loading on this machine (no CUDA) ----

    static void assumeNoCuda() {
        Assumptions.assumeFalse(CudaLibrary.availability().available(),
                "a CUDA device is usable here: AUTO would choose it (CudaModelTest checks that case)");
    }

    @Test
    void autoWithoutCudaLoadsTheCpuBackendBitIdenticallyAndSaysWhyOnce() {
        assumeNoCuda();
        Logger jul = Logger.getLogger(LoadedModel.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        try {
            int[] tokens = {1, 17, 42, 99, 3};
            float[][] cpu;
            try (LoadedModel model = LoadedModel.load(MODEL, KernelThreads.serial())) {
                assertThat(model.backend()).isEqualTo(Backend.CPU);
                assertThat(model.backendNote()).isEmpty();
                assertThat(model.deviceDescription()).isEmpty();
                cpu = model.newSession().logitsPerPosition(tokens);
            }
            for (int round = 0; round < 2; round++) {
                try (LoadedModel model = LoadedModel.load(MODEL, Backend.AUTO, KernelThreads.serial());
                        Session s = model.newSession()) {
                    assertThat(model.backend()).isEqualTo(Backend.CPU);
                    assertThat(model.backendNote()).contains(CudaLibrary.availability().reason());
                    assertThat(model.deviceDescription()).isEmpty();
                    assertThat(model.cudaModel()).isEmpty();
                    float[][] auto = s.logitsPerPosition(tokens);
                    for (int t = 0; t < tokens.length; t++) {
                        assertThat(auto[t]).containsExactly(cpu[t]);
                    }
                }
            }
            // logged at most once per JVM (an earlier test may already have), never once per load
            assertThat(records).hasSizeLessThanOrEqualTo(1);
            records.forEach(r -> assertThat(r.getMessage()).startsWith("rewoo4j: running on the CPU: "));
        } finally {
            jul.removeHandler(handler);
        }
    }

    @Test
    void cudaWithoutADeviceFailsWithTheReason() {
        assumeNoCuda();
        assertThatThrownBy(() -> LoadedModel.load(MODEL, Backend.CUDA)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(CudaLibrary.availability().reason());
        try (LoadedModel model = LoadedModel.load(MODEL, Backend.CPU)) {
            assertThat(model.backend()).isEqualTo(Backend.CPU);
            assertThat(model.backendNote()).isEmpty();
        }
    }
}
