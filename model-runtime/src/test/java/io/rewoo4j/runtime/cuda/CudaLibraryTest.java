package io.rewoo4j.runtime.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.File;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading {@code librewoo4j_cuda.so}: it is built into the classes when nvcc is present, loads without a GPU or
 * driver, registers every native of {@link CudaNative} (and fails to load, naming the method, when the Java class
 * and the library disagree), and reports CUDA's own reason when there is no device. The last tests need a device.
 */
class CudaLibraryTest {

    // ---- pure Java ----

    @Test
    void deviceDescribesItselfAndEstimatesBandwidth() {
        CudaDevice h100 = new CudaDevice(0, "NVIDIA H100 80GB HBM3", 9, 0, 85_520_809_984L, 85_520_809_984L, 132,
                52_428_800L, 5120, 2_619_000L);
        assertThat(h100).hasToString("NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.6 GiB free of 79.6 GiB)");
        // 2 * 2.619 GHz * 5120 bits / 8 = 3.352 TB/s
        assertThat(h100.peakBandwidthBytesPerSecond()).isEqualTo(2.0 * 2_619_000e3 * 640);
        assertThat(h100.architecture()).isEqualTo("sm_90");
    }

    @Test
    void platformOtherThanLinuxX8664IsReported() {
        assertThat(CudaLibrary.platformProblem("Linux", "amd64")).isEmpty();
        assertThat(CudaLibrary.platformProblem("Linux", "x86_64")).isEmpty();
        assertThat(CudaLibrary.platformProblem("Mac OS X", "aarch64")).startsWith("not on Linux x86-64")
                .contains("Mac OS X aarch64");
        assertThat(CudaLibrary.platformProblem("Linux", "aarch64")).startsWith("not on Linux x86-64");
    }

    @Test
    void missingResourceMeansNotBuilt() {
        ClassLoader empty = new ClassLoader(null) {
        };
        assertThat(CudaLibrary.loadResource(empty))
                .isEqualTo("the CUDA library was not built into this jar (nvcc was not on the PATH when it was built)");
    }

    @Test
    void unloadableFileIsReportedWithTheLinkerMessage(@TempDir Path dir) {
        // an executable (the java launcher) is an ELF file the dynamic linker refuses to load as a library
        Path executable = Path.of(System.getProperty("java.home"), "bin", "java");
        assertThat(CudaLibrary.loadFile(executable)).startsWith("the CUDA library could not be loaded: ")
                .contains(executable.toString());
        assertThat(CudaLibrary.loadFile(dir.resolve("absent.so"))).startsWith("the CUDA library could not be loaded: ")
                .endsWith("does not exist");
    }

    @Test
    void layoutMismatchIsReported() {
        assertThat(CudaLibrary.layoutProblem(new int[] {96, 56, 80})).isEmpty();
        assertThat(CudaLibrary.layoutProblem(new int[] {104, 56, 80})).startsWith(
                "the CUDA library does not match this jar: ").contains("[104, 56, 80]").contains("[96, 56, 80]");
    }

    @Test
    void elementTypesUseTheNativeCodes() {
        assertThat(ElementType.F32.code()).isEqualTo(CudaNative.F32);
        assertThat(ElementType.F16.code()).isEqualTo(CudaNative.F16);
        assertThat(ElementType.I32.code()).isEqualTo(CudaNative.I32);
        assertThat(ElementType.U32.code()).isEqualTo(CudaNative.U32);
        assertThat(ElementType.BYTES.code()).isEqualTo(CudaNative.BYTES);
        assertThat(ElementType.F16.bytes()).isEqualTo(2);
        assertThat(ElementType.BYTES.bytes()).isEqualTo(1);
    }

    @Test
    void cudaExceptionCarriesTheErrorName() {
        CudaException e = new CudaException("cudaMalloc(8 bytes): out of memory (cudaErrorMemoryAllocation)",
                "cudaErrorMemoryAllocation");
        assertThat(e.cudaError()).isEqualTo("cudaErrorMemoryAllocation");
        assertThat(e.isOutOfMemory()).isTrue();
        assertThat(new CudaException("other").cudaError()).isNull();
    }

    // ---- the built library (no device needed) ----

    @Test
    void libraryIsBuiltIntoTheClassesWhenNvccIsPresent() {
        Assumptions.assumeTrue(onPath("nvcc") && onPath("cmake"), "nvcc or cmake is not on the PATH");
        Assumptions.assumeFalse(Boolean.getBoolean("rewoo.native.skip"), "the native build was skipped");
        assertThat(CudaLibraryTest.class.getClassLoader().getResource(CudaLibrary.RESOURCE))
                .as("%s on the test class path", CudaLibrary.RESOURCE).isNotNull();
    }

    @Test
    void libraryLoadsAndReportsItsBuild() {
        assumeLibraryPresent();
        assertThat(CudaLibrary.loadProblem()).isEmpty();
        assertThat(CudaLibrary.isLoaded()).isTrue();
        String info = CudaNative.buildInfo();
        assertThat(info).startsWith("rewoo4j-cuda ").contains("; CUDA runtime ").contains(" (static)")
                .contains("sm_80").contains("sm_90").contains("compute_90");
        assertThat(CudaLibrary.availability().buildInfo()).isEqualTo(info);
    }

    @Test
    void structLayoutMatchesJava() {
        assumeLibraryPresent();
        assertThat(CudaNative.structLayout()).containsExactly(DeviceMatrixTable.RECORD_BYTES,
                DeviceMatrixTable.OFF_KIND, DeviceMatrixTable.OFF_Y_COL_OFFSET);
        assertThat(CudaNative.structLayout()).containsExactly(96, 56, 80);
    }

    /**
     * Calls every native method of CudaNative with zero/null arguments: each is bound (no UnsatisfiedLinkError) and
     * answers with a value, an IllegalArgumentException or a CudaException, never a crash.
     */
    @Test
    void everyNativeMethodIsRegistered() throws Exception {
        assumeLibraryPresent();
        List<Method> natives = new ArrayList<>();
        for (Method m : CudaNative.class.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                natives.add(m);
            }
        }
        assertThat(natives).hasSizeGreaterThanOrEqualTo(44);
        for (Method m : natives) {
            m.setAccessible(true);
            Object[] args = new Object[m.getParameterCount()];
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < args.length; i++) {
                args[i] = zero(types[i]);
            }
            Object result = null;
            Throwable thrown = null;
            try {
                result = m.invoke(null, args);
            } catch (InvocationTargetException e) {
                thrown = e.getCause();
            }
            if (thrown != null) {
                assertThat(thrown).as(m.getName()).isInstanceOfAny(IllegalArgumentException.class,
                        CudaException.class);
            }
            // with a device, the two creating calls succeed: give the handles back
            if (result instanceof Long handle && handle != 0) {
                if (m.getName().equals("streamCreate")) {
                    CudaNative.streamDestroy(handle);
                } else if (m.getName().equals("eventCreate")) {
                    CudaNative.eventDestroy(handle);
                }
            }
        }
    }

    @Test
    void withoutDeviceAvailabilityGivesCudasReason() {
        assumeLibraryWithoutDevice();
        CudaAvailability a = CudaLibrary.availability();
        assertThat(a.available()).isFalse();
        assertThat(a.devices()).isEmpty();
        assertThat(a.reason()).startsWith("no CUDA device: cudaGetDeviceCount: ")
                // CUDA's message: no driver ("CUDA driver version is insufficient ...") or no device ("no
                // CUDA-capable device is detected"), with its error name
                .containsPattern("driver|CUDA-capable device").containsPattern("\\(cudaError\\w+\\)");
        assertThat(a.toString()).startsWith("CUDA unavailable: no CUDA device");
        assertThatThrownBy(() -> CudaContext.open(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(a.reason());
    }

    @Test
    void withoutDeviceMallocThrowsCudaExceptionNamingTheOperation() {
        assumeLibraryWithoutDevice();
        long before = CudaNative.allocatedBytes();
        Throwable thrown = catchThrowable(() -> CudaNative.malloc(1024, CudaNative.F32));
        assertThat(thrown).isInstanceOf(CudaException.class).hasMessageStartingWith("cudaMalloc(1024 bytes): ")
                .hasMessageEndingWith("(" + ((CudaException) thrown).cudaError() + ")");
        assertThat(((CudaException) thrown).cudaError()).startsWith("cudaError");
        assertThat(CudaNative.allocatedBytes()).isEqualTo(before);
        // and again: a failed call leaves nothing behind that would break the next one
        assertThatThrownBy(() -> CudaNative.streamCreate()).isInstanceOf(CudaException.class)
                .hasMessageStartingWith("cudaStreamCreate: ");
        assertThat(CudaNative.driverVersion()).isGreaterThanOrEqualTo(0);
    }

    // ---- registration checks at load time, with a second copy of the library in its own class loader ----

    @Test
    void identicalJavaClassLoadsASecondCopy(@TempDir Path dir) throws Throwable {
        Class<?> fake = fakeNativeClass(dir, source -> source);
        loadInto(fake, dir);
        Method buildInfo = fake.getDeclaredMethod("buildInfo");
        buildInfo.setAccessible(true);
        assertThat((String) buildInfo.invoke(null)).startsWith("rewoo4j-cuda ");
    }

    @Test
    void signatureMismatchFailsTheLoadNamingTheMethod(@TempDir Path dir) throws Exception {
        Class<?> fake = fakeNativeClass(dir,
                source -> replaceOnce(source, "static native int[] structLayout();",
                        "static native long[] structLayout();"));
        assertThatThrownBy(() -> loadInto(fake, dir)).isInstanceOf(UnsatisfiedLinkError.class)
                .hasMessageContaining("io.rewoo4j.runtime.cuda.CudaNative has no static method structLayout()[I")
                .hasMessageContaining("rebuild both");
    }

    @Test
    void nativeMethodWithoutImplementationFailsTheLoad(@TempDir Path dir) throws Exception {
        Class<?> fake = fakeNativeClass(dir,
                source -> replaceOnce(source, "static native int driverVersion();",
                        "static native int driverVersion();\n\n    static native void notImplemented(long x);"));
        assertThatThrownBy(() -> loadInto(fake, dir)).isInstanceOf(UnsatisfiedLinkError.class)
                .hasMessageContaining("declares native methods that librewoo4j_cuda does not implement: "
                        + "notImplemented");
    }

    // ---- with a device ----

    @Test
    void devicesAreDescribed() {
        CudaAvailability a = CudaTestSupport.assumeCuda();
        assertThat(a.reason()).isEmpty();
        assertThat(a.devices()).isNotEmpty();
        for (CudaDevice d : a.devices()) {
            assertThat(d.major()).isGreaterThanOrEqualTo(8);
            assertThat(d.totalMemory()).isGreaterThan(1L << 30);
            assertThat(d.freeMemory()).isBetween(1L, d.totalMemory());
            assertThat(d.multiprocessors()).isPositive();
            assertThat(d.peakBandwidthBytesPerSecond()).isGreaterThan(1e11);
            assertThat(d.toString()).contains(d.name()).contains("sm_" + d.major() + d.minor());
        }
    }

    @Test
    void contextAllocatesCopiesAndFreesEverythingOnClose() {
        CudaTestSupport.assumeCuda();
        long before = CudaNative.allocatedBytes();
        CudaContext ctx = CudaContext.open(0);
        DeviceBuffer f = ctx.upload(new float[] {1.5f, -2f, 3.25f});
        DeviceBuffer i = ctx.upload(new int[] {7, -8, 9, 10});
        DeviceBuffer h = ctx.allocateHalfs(6);
        assertThat(ctx.allocatedBytes()).isEqualTo(12 + 16 + 12);
        assertThat(CudaNative.allocatedBytes()).isEqualTo(before + 40);
        assertThat(ctx.downloadFloats(f)).containsExactly(1.5f, -2f, 3.25f);
        assertThat(ctx.downloadInts(i)).containsExactly(7, -8, 9, 10);
        assertThat(f.slice(2)).isEqualTo(f.address() + 8);
        assertThat(h.elementCount()).isEqualTo(6);

        DeviceBuffer copy = ctx.allocateInts(4);
        ctx.copy(i, copy);
        ctx.fill(f, 0xFF);
        assertThat(ctx.downloadInts(copy)).containsExactly(7, -8, 9, 10);
        for (float value : ctx.downloadFloats(f)) {
            assertThat(value).isNaN();
        }
        ctx.zero(i);
        assertThat(ctx.downloadInts(i)).containsOnly(0);

        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(0, 0x01020304).putInt(4, -1);
        DeviceBuffer b = ctx.upload(bytes, ElementType.BYTES);
        java.nio.ByteBuffer back = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        ctx.download(b, back);
        assertThat(back.getInt(0)).isEqualTo(0x01020304);
        assertThat(back.getInt(4)).isEqualTo(-1);

        i.close();
        i.close();
        assertThat(i.isClosed()).isTrue();
        assertThatThrownBy(i::address).isInstanceOf(IllegalStateException.class);
        assertThat(ctx.allocatedBytes()).isEqualTo(12 + 12 + 16 + 8);
        ctx.close();
        ctx.close();
        assertThat(f.isClosed()).isTrue();
        assertThat(ctx.allocatedBytes()).isZero();
        assertThat(CudaNative.allocatedBytes()).isEqualTo(before);
        assertThatThrownBy(ctx::stream).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void outOfMemoryIsACudaExceptionAndTheContextStillWorks() {
        CudaAvailability a = CudaTestSupport.assumeCuda();
        try (CudaContext ctx = CudaContext.open(0)) {
            long tooMuch = a.devices().get(0).totalMemory() + (1L << 30);
            Throwable thrown = catchThrowable(() -> ctx.allocate(tooMuch, ElementType.BYTES));
            assertThat(thrown).isInstanceOf(CudaException.class).hasMessageContaining("out of memory")
                    .hasMessageContaining("cudaMalloc(" + tooMuch + " bytes)");
            assertThat(((CudaException) thrown).isOutOfMemory()).isTrue();
            assertThat(ctx.allocatedBytes()).isZero();

            DeviceBuffer ok = ctx.upload(new float[] {4f, 5f});
            ctx.synchronize();
            assertThat(ctx.downloadFloats(ok)).containsExactly(4f, 5f);
        }
    }

    @Test
    void graphCaptureFailureEndsTheCapture() {
        CudaTestSupport.assumeCuda();
        try (CudaContext ctx = CudaContext.open(0)) {
            DeviceBuffer v = ctx.upload(new int[] {1, 2, 3});
            assertThatThrownBy(() -> ctx.captureGraph(() -> {
                throw new IllegalStateException("boom");
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            // the stream is usable again (not capturing)
            ctx.zero(v);
            ctx.synchronize();
            assertThat(ctx.downloadInts(v)).containsOnly(0);
        }
    }

    // ---- helpers ----

    private static void assumeLibraryPresent() {
        CudaTestSupport.assumeLibraryLoaded();
    }

    private static void assumeLibraryWithoutDevice() {
        CudaTestSupport.assumeLibraryWithoutDevice();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static Object zero(Class<?> type) {
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == float.class) {
            return 0f;
        }
        if (type.isPrimitive()) {
            throw new AssertionError("unexpected parameter type " + type);
        }
        return null;
    }

    private static String replaceOnce(String source, String target, String replacement) {
        assertThat(source).as("CudaNative.java source").contains(target);
        return source.replace(target, replacement);
    }

    /**
     * Compiles (a variant of) CudaNative.java, with a static {@code load(String)} method added, and defines it in a
     * class loader of its own, in which the library's JNI_OnLoad will look for it.
     */
    private static Class<?> fakeNativeClass(Path dir, java.util.function.UnaryOperator<String> edit)
            throws Exception {
        assumeLibraryPresent();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assumptions.assumeTrue(javac != null, "no Java compiler in this runtime");
        Path real = Path.of("src/main/java/io/rewoo4j/runtime/cuda/CudaNative.java");
        Assumptions.assumeTrue(Files.isRegularFile(real), "CudaNative.java is not at " + real.toAbsolutePath());
        String source = edit.apply(Files.readString(real, StandardCharsets.UTF_8));
        int end = source.lastIndexOf('}');
        source = source.substring(0, end)
                + "\n    static void load(String path) {\n        System.load(path);\n    }\n}\n";
        Path src = dir.resolve("src/io/rewoo4j/runtime/cuda/CudaNative.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source, StandardCharsets.UTF_8);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        int rc = javac.run(null, null, null, "-nowarn", "-d", classes.toString(), src.toString());
        assertThat(rc).as("javac exit code").isZero();
        byte[] bytes = Files.readAllBytes(classes.resolve("io/rewoo4j/runtime/cuda/CudaNative.class"));
        return new IsolatingLoader(Map.of("io.rewoo4j.runtime.cuda.CudaNative", bytes))
                .loadClass("io.rewoo4j.runtime.cuda.CudaNative");
    }

    /** Copies the library to a new file (a second, independent copy) and loads it from {@code fake}. */
    private static void loadInto(Class<?> fake, Path dir) throws Throwable {
        Path copy = dir.resolve("librewoo4j_cuda-copy.so");
        String override = System.getProperty(CudaLibrary.LIBRARY_PROPERTY, "").trim();
        if (!override.isEmpty()) {
            Files.copy(Path.of(override), copy, StandardCopyOption.REPLACE_EXISTING);
        } else {
            try (InputStream in = CudaLibraryTest.class.getClassLoader().getResourceAsStream(CudaLibrary.RESOURCE)) {
                assertThat(in).as(CudaLibrary.RESOURCE).isNotNull();
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Method load = fake.getDeclaredMethod("load", String.class);
        load.setAccessible(true);
        try {
            load.invoke(null, copy.toAbsolutePath().toString());
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Defines the given classes itself (child first) and hides the test hooks, so that the library's JNI_OnLoad
     * binds only the fake CudaNative; everything else comes from the test's class loader.
     */
    private static final class IsolatingLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        IsolatingLoader(Map<String, byte[]> classes) {
            super(CudaLibraryTest.class.getClassLoader());
            this.classes = new HashMap<>(classes);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                byte[] bytes = classes.get(name);
                if (bytes != null) {
                    Class<?> c = findLoadedClass(name);
                    if (c == null) {
                        c = defineClass(name, bytes, 0, bytes.length);
                    }
                    return c;
                }
                if (name.equals(CudaTestSupport.FakeAllocations.class.getName())) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        }
    }
}
