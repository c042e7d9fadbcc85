package io.rewoo4j.tools.model;

/** Which route of Hugging Face Text Generation Inference's native API a {@link TgiModel} calls. */
public enum TgiEndpoint {

    /** {@code POST /generate_stream}: tokens as Server-Sent Events, emitted as they are decoded. The default. */
    GENERATE_STREAM,

    /**
     * {@code POST /generate}: one JSON answer when the completion is done, emitted as one chunk. For proxies that
     * buffer event streams; the response timeout must then cover the whole generation.
     */
    GENERATE
}
