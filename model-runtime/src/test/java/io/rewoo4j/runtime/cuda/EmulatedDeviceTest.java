package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The entry point of the emulated-device run: the surefire execution {@code emulated-device} (model-runtime/pom.xml)
 * runs this class and the GPU tests of this package against {@code librewoo4j_cuda_emulated.so}, the JNI library
 * built by {@code src/test/native/build-emulated-device.sh} with every kernel compiled for the CPU emulator. This
 * test makes sure that run really uses the emulated device, so that it cannot pass by skipping every GPU test. In
 * the ordinary run (no {@code rewoo.cuda.library} naming that library) it skips.
 */
class EmulatedDeviceTest {
    static final String LIBRARY_NAME = "librewoo4j_cuda_emulated.so";
    static final String DEVICE_NAME = "rewoo4j emulated device (CPU)";

    @Test
    void theGpuTestsRunOnTheEmulatedDevice() {
        String library = System.getProperty("rewoo.cuda.library", "");
        Assumptions.assumeTrue(library.endsWith(LIBRARY_NAME), "not the emulated-device run");
        // build-emulated-device.sh builds nothing where g++ has no _Float16 (or off Linux), and says so
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(library)),
                () -> library + " was not built (see build-emulated-device.sh's output)");

        CudaAvailability a = CudaLibrary.availability();
        assertThat(a.available()).as("CUDA availability: %s", a.reason()).isTrue();
        assertThat(a.devices()).hasSize(1);
        assertThat(a.devices().get(0).name()).isEqualTo(DEVICE_NAME);
        assertThat(a.buildInfo()).contains("emulated");
    }
}
