package io.rewoo4j.tools.model;

import java.util.Objects;

/**
 * One Server-Sent Event.
 *
 * @param type the {@code event:} field, {@code "message"} when absent
 * @param data the {@code data:} lines joined with {@code \n}
 * @param id   the last {@code id:} seen in the stream so far, or {@code null}
 */
public record SseEvent(String type, String data, String id) {

    public static final String DEFAULT_TYPE = "message";

    public SseEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }

    public static SseEvent message(String data) {
        return new SseEvent(DEFAULT_TYPE, data, null);
    }
}
