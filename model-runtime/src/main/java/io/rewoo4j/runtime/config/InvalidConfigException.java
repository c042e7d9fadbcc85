package io.rewoo4j.runtime.config;

import java.nio.file.Path;

/** A {@code config.json} or quantisation config that is malformed or asks for something unsupported. */
public class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String source, String problem) {
        super(source + ": " + problem);
    }

    public InvalidConfigException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
    }

    static String name(Path p) {
        return p == null ? "<json>" : p.toString();
    }
}
