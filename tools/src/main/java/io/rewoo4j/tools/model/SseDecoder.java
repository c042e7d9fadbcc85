package io.rewoo4j.tools.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes a {@code text/event-stream} body that arrives in chunks cut anywhere: inside a line, between {@code \r}
 * and {@code \n}, inside a multi-byte UTF-8 character. Lines end at {@code \r\n}, {@code \n} or {@code \r}; it splits
 * lines on bytes and decodes each whole line as UTF-8, so a character split across chunks is never garbled (the line
 * terminators are ASCII and cannot occur inside a multi-byte character). Follows the WHATWG event-stream rules:
 * {@code data:} lines of one event are joined with {@code \n}, lines starting with {@code :} are comments (keep-alives),
 * a blank line dispatches the event, one space after the colon is dropped, a leading byte-order mark is skipped.
 * <p>
 * One decoder per stream; not thread-safe (a Reactor stream calls it serially).
 */
public final class SseDecoder {

    /** The longest line accepted, so that a server that never sends a line break cannot exhaust memory. */
    public static final int DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

    private final int maxLineBytes;
    private byte[] line;
    private int lineLength;
    private boolean afterCarriageReturn;
    private boolean firstLine = true;

    private final StringBuilder data = new StringBuilder();
    private int dataLines;
    private String type;
    private String lastId;

    public SseDecoder() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    public SseDecoder(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        this.line = new byte[Math.min(512, maxLineBytes)];
    }

    /**
     * Feeds the next chunk of the body; returns the events it completes, in order (often none).
     *
     * @throws IllegalStateException if a line exceeds the maximum length
     */
    public List<SseEvent> feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /** Feeds {@code length} bytes of {@code chunk} from {@code offset}; see {@link #feed(byte[])}. */
    public List<SseEvent> feed(byte[] chunk, int offset, int length) {
        List<SseEvent> events = new ArrayList<>(2);
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = chunk[i];
            if (afterCarriageReturn) {
                afterCarriageReturn = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\r' || b == '\n') {
                afterCarriageReturn = b == '\r';
                endLine(events);
            } else {
                append(b);
            }
        }
        return events;
    }

    /**
     * Ends the stream. Lenient where the standard discards: a last line without a line break, and a last event without
     * the blank line after it, are still decoded and dispatched, so that a server that closes right after its final
     * {@code data:} line loses nothing.
     */
    public List<SseEvent> finish() {
        List<SseEvent> events = new ArrayList<>(1);
        if (lineLength > 0) {
            endLine(events);
        }
        dispatch(events);
        return events;
    }

    private void append(byte b) {
        if (lineLength == maxLineBytes) {
            throw new IllegalStateException("event-stream line longer than " + maxLineBytes + " bytes");
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, line.length * 2L));
        }
        line[lineLength++] = b;
    }

    private void endLine(List<SseEvent> events) {
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (firstLine) {
            firstLine = false;
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch(events);
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                if (dataLines++ > 0) {
                    data.append('\n');
                }
                data.append(value);
            }
            case "event" -> type = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastId = value;
                }
            }
            default -> {
                // "retry" and unknown fields: nothing to do for a client that does not reconnect.
            }
        }
    }

    private void dispatch(List<SseEvent> events) {
        if (dataLines > 0) {
            events.add(new SseEvent(type == null || type.isEmpty() ? SseEvent.DEFAULT_TYPE : type, data.toString(),
                    lastId));
        }
        data.setLength(0);
        dataLines = 0;
        type = null;
    }
}
