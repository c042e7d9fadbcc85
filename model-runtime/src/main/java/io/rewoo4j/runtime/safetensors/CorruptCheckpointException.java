package io.rewoo4j.runtime.safetensors;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A checkpoint file or index that breaks the safetensors rules (bad header, offsets outside the file, sizes that do
 * not match dtype × shape, missing tensors). The message always names the file and, where one is concerned, the
 * tensor.
 */
public class CorruptCheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    public CorruptCheckpointException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public CorruptCheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(describe(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    private static String describe(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder(file == null ? "<unknown file>" : file.toString());
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        return sb.append(": ").append(problem).toString();
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, if the problem concerns one. */
    public Optional<String> tensor() {
        return Optional.ofNullable(tensor);
    }
}
