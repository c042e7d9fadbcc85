package io.rewoo4j.runtime.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a {@link LoadedModel} runs: the pure-Java CPU backend, the CUDA backend, or {@link #AUTO} (CUDA when a
 * device is usable and the model fits in its free memory, else the CPU, with the reason logged once).
 */
public enum Backend {
    /** CUDA when available and the model fits, otherwise the CPU. */
    AUTO,
    /** The pure-Java reference backend. */
    CPU,
    /** The CUDA backend; loading fails with the reason when no usable device is found. */
    CUDA;

    /** The backend named {@code name} ({@code auto}, {@code cpu} or {@code cuda}, in any case, surrounding blanks
     *  ignored); anything else is an {@link IllegalArgumentException} listing the choices. */
    public static Backend fromName(String name) {
        if (name != null) {
            String n = name.strip().toUpperCase(Locale.ROOT);
            for (Backend b : values()) {
                if (b.name().equals(n)) {
                    return b;
                }
            }
        }
        throw new IllegalArgumentException("unknown model backend '" + name + "': choose one of "
                + Arrays.stream(values()).map(Backend::configName).collect(Collectors.joining(", ")));
    }

    /** The lower-case name used in configuration ({@code auto}, {@code cpu}, {@code cuda}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
