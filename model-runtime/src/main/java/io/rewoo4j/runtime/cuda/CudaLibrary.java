package io.rewoo4j.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Loads {@code librewoo4j_cuda.so} and reports whether the CUDA backend can run.
 *
 * <p>The library is a class-path resource ({@value #RESOURCE}) that the build adds when {@code nvcc} is on the PATH.
 * It is extracted to a temporary file (deleted on exit) and loaded once per JVM. The system property
 * {@code -D}{@value #LIBRARY_PROPERTY}{@code =/path/to/librewoo4j_cuda.so} loads that file instead (development).
 * The CUDA runtime is linked into the library statically; only the NVIDIA driver ({@code libcuda.so.1}) is needed at
 * run time, and the library loads without one (every CUDA call then fails with CUDA's "driver" error).
 *
 * <p>Nothing here throws: {@link #availability()} says why CUDA cannot be used.
 */
public final class CudaLibrary {
    /** System property naming a library file to load instead of the bundled one. */
    public static final String LIBRARY_PROPERTY = "rewoo.cuda.library";
    /** Where the build puts the library on the class path. */
    public static final String RESOURCE = "io/rewoo4j/runtime/cuda/native/linux-x86_64/librewoo4j_cuda.so";

    static final String NOT_BUILT =
            "the CUDA library was not built into this jar (nvcc was not on the PATH when it was built)";
    static final String LOAD_FAILED = "the CUDA library could not be loaded: ";
    static final String NO_DEVICE = "no CUDA device: ";
    static final String NOT_LINUX_X86_64 = "not on Linux x86-64";
    static final String MISMATCH = "the CUDA library does not match this jar: ";

    /** {@code [sizeof(DeviceMatrix), offsetof(kind), offsetof(y_col_offset)]} as this jar's Java code writes them. */
    static final int[] JAVA_STRUCT_LAYOUT = {
        DeviceMatrixTable.RECORD_BYTES, DeviceMatrixTable.OFF_KIND, DeviceMatrixTable.OFF_Y_COL_OFFSET};

    private static final Object LOCK = new Object();
    private static boolean loadAttempted;
    /** Empty once the library is loaded and matches; otherwise why not. */
    private static String loadProblem = "";
    private static String buildInfo = "";
    private static CudaAvailability availability;

    private CudaLibrary() {
    }

    /**
     * Loads the library (first call only) and probes the devices (first call only: the result, free memory
     * included, is a snapshot). Never throws.
     */
    public static CudaAvailability availability() {
        synchronized (LOCK) {
            if (availability == null) {
                availability = probe();
            }
            return availability;
        }
    }

    /**
     * Whether the library is loaded and matches this jar, so that {@link CudaNative} can be called (CUDA calls may
     * still fail, e.g. without a device). Loads it on the first call.
     */
    public static boolean isLoaded() {
        return loadProblem().isEmpty();
    }

    /** Why the library is not loaded, or empty when it is. Loads it on the first call. */
    public static String loadProblem() {
        synchronized (LOCK) {
            if (!loadAttempted) {
                loadAttempted = true;
                loadProblem = load();
            }
            return loadProblem;
        }
    }

    /** Throws {@link IllegalStateException} with the reason unless CUDA is available. */
    public static CudaAvailability requireAvailable() {
        CudaAvailability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("CUDA is not available: " + a.reason());
        }
        return a;
    }

    private static CudaAvailability probe() {
        String problem = loadProblem();
        if (!problem.isEmpty()) {
            return CudaAvailability.unavailable(problem, buildInfo);
        }
        try {
            int count;
            try {
                count = CudaNative.deviceCount();
            } catch (CudaException e) {
                return CudaAvailability.unavailable(NO_DEVICE + e.getMessage() + driverNote(), buildInfo);
            }
            List<CudaDevice> devices = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                devices.add(queryDevice(i));
            }
            return new CudaAvailability(true, "", devices, buildInfo);
        } catch (RuntimeException | LinkageError e) {
            return CudaAvailability.unavailable("CUDA devices could not be queried: " + e, buildInfo);
        }
    }

    private static String driverNote() {
        int version = CudaNative.driverVersion();
        if (version == 0) {
            return "; no NVIDIA driver (libcuda.so.1) was found";
        }
        return String.format(Locale.ROOT, "; the driver supports CUDA %d.%d", version / 1000, version % 1000 / 10);
    }

    /** Properties of device {@code index}; makes it current on the calling thread (to read its free memory). */
    static CudaDevice queryDevice(int index) {
        long[] p = CudaNative.deviceProperties(index);
        String name = CudaNative.deviceName(index);
        CudaNative.setDevice(index);
        long[] memory = CudaNative.memoryInfo();
        return new CudaDevice(index, name, (int) p[0], (int) p[1], p[2], memory[0], (int) p[3], p[4], (int) p[5],
                p[6]);
    }

    private static String load() {
        String override = System.getProperty(LIBRARY_PROPERTY, "").trim();
        try {
            String problem;
            if (!override.isEmpty()) {
                problem = loadFile(Path.of(override));
            } else {
                problem = platformProblem(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
                if (problem.isEmpty()) {
                    problem = loadResource(CudaLibrary.class.getClassLoader());
                }
            }
            if (!problem.isEmpty()) {
                return problem;
            }
            buildInfo = CudaNative.buildInfo();
            return layoutProblem(CudaNative.structLayout());
        } catch (RuntimeException | LinkageError e) {
            return LOAD_FAILED + e;
        }
    }

    /** Empty on Linux x86-64, else the reason. */
    static String platformProblem(String osName, String osArch) {
        boolean linux = osName.toLowerCase(Locale.ROOT).startsWith("linux");
        boolean x86 = osArch.equals("amd64") || osArch.equals("x86_64");
        return linux && x86 ? "" : NOT_LINUX_X86_64 + " (" + osName + " " + osArch + ")";
    }

    /** Extracts the bundled library from {@code loader} and loads it; empty on success, else the reason. */
    static String loadResource(ClassLoader loader) {
        Path file;
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return NOT_BUILT;
            }
            file = Files.createTempFile("librewoo4j_cuda-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            return LOAD_FAILED + "extracting " + RESOURCE + " failed: " + e;
        }
        return loadFile(file);
    }

    /** {@code System.load(file)}; empty on success, else the reason. */
    static String loadFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return LOAD_FAILED + file + " does not exist";
        }
        try {
            System.load(file.toAbsolutePath().toString());
            return "";
        } catch (UnsatisfiedLinkError e) {
            return LOAD_FAILED + e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            return LOAD_FAILED + e;
        }
    }

    /** Empty when the library's DeviceMatrix layout is this jar's, else the reason. */
    static String layoutProblem(int[] nativeLayout) {
        if (Arrays.equals(nativeLayout, JAVA_STRUCT_LAYOUT)) {
            return "";
        }
        return MISMATCH + "DeviceMatrix [sizeof, offsetof(kind), offsetof(y_col_offset)] is "
                + Arrays.toString(nativeLayout) + " in the library but " + Arrays.toString(JAVA_STRUCT_LAYOUT)
                + " in Java";
    }
}
