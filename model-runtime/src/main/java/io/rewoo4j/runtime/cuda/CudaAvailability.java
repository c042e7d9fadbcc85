package io.rewoo4j.runtime.cuda;

import java.util.List;

/**
 * Whether the CUDA backend can run here, and if not, why.
 *
 * @param available whether the library is loaded and at least one device is usable
 * @param reason    empty when available; otherwise one of "the CUDA library was not built into this jar (...)",
 *                  "the CUDA library could not be loaded: ...", "no CUDA device: ..." (with CUDA's own message),
 *                  "not on Linux x86-64 (...)", "the CUDA library does not match this jar: ..."
 * @param devices   the visible devices (empty when not available)
 * @param buildInfo the library's {@code buildInfo()} when it loaded, else empty
 */
public record CudaAvailability(boolean available, String reason, List<CudaDevice> devices, String buildInfo) {

    public CudaAvailability {
        reason = reason == null ? "" : reason;
        devices = List.copyOf(devices);
        buildInfo = buildInfo == null ? "" : buildInfo;
    }

    static CudaAvailability unavailable(String reason, String buildInfo) {
        return new CudaAvailability(false, reason, List.of(), buildInfo);
    }

    @Override
    public String toString() {
        if (!available) {
            return "CUDA unavailable: " + reason;
        }
        return "CUDA available (" + buildInfo + "): " + devices;
    }
}
