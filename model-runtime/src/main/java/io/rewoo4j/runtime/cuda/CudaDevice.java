package io.rewoo4j.runtime.cuda;

import java.util.Locale;

/**
 * One CUDA device as seen when the library was probed ({@link CudaLibrary#availability()}); {@code freeMemory} is a
 * snapshot of that moment.
 *
 * @param index              device ordinal ({@code cudaSetDevice} argument)
 * @param name               e.g. "NVIDIA H100 80GB HBM3"
 * @param major              compute capability major (9 for sm_90)
 * @param minor              compute capability minor
 * @param totalMemory        bytes of device memory
 * @param freeMemory         free bytes when probed
 * @param multiprocessors    streaming multiprocessors
 * @param l2CacheBytes       L2 cache size
 * @param memoryBusWidthBits global memory bus width
 * @param memoryClockKHz     peak memory clock
 */
public record CudaDevice(int index, String name, int major, int minor, long totalMemory, long freeMemory,
        int multiprocessors, long l2CacheBytes, int memoryBusWidthBits, long memoryClockKHz) {

    /**
     * Theoretical peak memory bandwidth in bytes per second: two transfers per memory clock (double data rate) times
     * the bus width in bytes. The usual estimate (nvidia-smi and deviceQuery compute the same).
     */
    public double peakBandwidthBytesPerSecond() {
        return 2.0 * memoryClockKHz * 1000.0 * memoryBusWidthBits / 8.0;
    }

    /** "sm_90". */
    public String architecture() {
        return "sm_" + major + minor;
    }

    /** e.g. "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.6 GiB free of 79.6 GiB)". */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s, %d SMs, %.1f GiB free of %.1f GiB)", name, architecture(),
                multiprocessors, gib(freeMemory), gib(totalMemory));
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }
}
