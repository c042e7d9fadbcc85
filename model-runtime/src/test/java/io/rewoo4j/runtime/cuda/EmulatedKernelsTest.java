package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the CUDA kernels of {@code src/main/native} on the CPU: {@code src/test/native/run.sh} compiles them with g++
 * against the SIMT emulator of {@code src/test/native/emu.h} and checks every kernel family (GPTQ/dense linear
 * layers, norms, MoE routing, attention, sampling) against double-precision references, after the emulator's own
 * tests (test_emu.cu). This is how the kernels' logic is tested on machines without a GPU; timing, the memory model
 * and the exact tensor-core fragment layouts still need a device (see emu.h).
 */
class EmulatedKernelsTest {
    private static final List<String> FAMILIES = List.of("emu", "gptq", "norm", "moe", "attention", "sampling");
    private static final Pattern SUMMARY = Pattern.compile("^test_(\\w+): (\\d+) cases, (\\d+) failed$");
    /** run.sh's status when the compiler cannot build the emulator (no _Float16). */
    private static final int CANNOT_BUILD = 77;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void kernelsPassOnTheEmulator() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
                "the emulator's fibers need Linux");
        String cxx = System.getenv().getOrDefault("CXX", "g++");
        Assumptions.assumeTrue(works(cxx, "--version"), () -> cxx + " (run.sh's C++ compiler) is not on the PATH");
        Assumptions.assumeTrue(works("bash", "--version"), "bash is not on the PATH");
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path script = module.resolve("src/test/native/run.sh");
        assertThat(script).exists();
        Path build = module.resolve("target/emulated-kernels");
        Files.createDirectories(build);

        Process p = new ProcessBuilder("bash", script.toString(), build.toString())
                .directory(module.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println(line);
                lines.add(line);
            }
        }
        int status = p.waitFor();
        String output = String.join("\n", lines);
        Assumptions.assumeFalse(status == CANNOT_BUILD, () -> "run.sh cannot build the emulator: " + output);

        assertThat(status).as("run.sh exit status; its output:\n%s", output).isZero();
        List<String> reported = new ArrayList<>();
        for (String line : lines) {
            Matcher m = SUMMARY.matcher(line);
            if (m.matches()) {
                reported.add(m.group(1));
                assertThat(Integer.parseInt(m.group(2))).as(line).isPositive();
                assertThat(Integer.parseInt(m.group(3))).as(line).isZero();
            }
        }
        assertThat(reported).as("test programs that reported a summary").containsExactlyInAnyOrderElementsOf(FAMILIES);
        assertThat(lines).as("failed cases").noneMatch(l -> l.startsWith("FAIL"));
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
