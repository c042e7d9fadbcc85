package io.rewoo4j.runtime.tokenizer;

/**
 * A tokenizer file is corrupt, inconsistent, or describes a model this package does not support.
 * The message names the file and, where one is to blame, the field.
 */
public final class TokenizerFormatException extends RuntimeException {

    private final String source;
    private final String field;

    public TokenizerFormatException(String source, String field, String problem) {
        super(source + (field == null ? "" : ": field " + field) + ": " + problem);
        this.source = source;
        this.field = field;
    }

    public TokenizerFormatException(String source, String field, String problem, Throwable cause) {
        this(source, field, problem);
        initCause(cause);
    }

    /** The file (or other source) that was being read. */
    public String source() {
        return source;
    }

    /** The field at fault, such as {@code trainer_spec.model_type}, or {@code null}. */
    public String field() {
        return field;
    }
}
