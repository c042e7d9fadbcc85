package io.rewoo4j.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The event-stream decoder gives the same events however the bytes are cut into chunks. */
class SseDecoderTest {

    /** Every awkward thing at once: all three line endings, comments, multi-line data, multi-byte UTF-8. */
    private static final String STREAM = ": keep-alive\r\n"
            + "data: {\"text\": \"caf\u00e9 \u4e2d\u6587 \ud83e\udd80\"}\r\n\r\n"
            + "event: update\n"
            + "id: 7\n"
            + "data:no space\n"
            + "data:  two spaces\n"
            + "\n"
            + "data: cr only\r\r"
            + "retry: 1000\n"
            + ":comment between\n"
            + "data\n"
            + "\n"
            + "data: [DONE]\n\n";

    private static final List<SseEvent> EXPECTED = List.of(
            SseEvent.message("{\"text\": \"caf\u00e9 \u4e2d\u6587 \ud83e\udd80\"}"),
            new SseEvent("update", "no space\n two spaces", "7"),
            new SseEvent("message", "cr only", "7"),
            new SseEvent("message", "", "7"),
            new SseEvent("message", "[DONE]", "7"));

    private static List<SseEvent> decode(List<byte[]> chunks) {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> events = new ArrayList<>();
        chunks.forEach(chunk -> events.addAll(decoder.feed(chunk)));
        events.addAll(decoder.finish());
        return events;
    }

    @Test
    void decodesTheWholeStream() {
        assertThat(decode(List.of(STREAM.getBytes(StandardCharsets.UTF_8)))).isEqualTo(EXPECTED);
    }

    @Test
    void everySplitPointGivesTheSameEvents() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            List<byte[]> chunks = List.of(Arrays.copyOfRange(bytes, 0, cut),
                    Arrays.copyOfRange(bytes, cut, bytes.length));
            assertThat(decode(chunks)).as("cut at byte %d", cut).isEqualTo(EXPECTED);
        }
    }

    @Test
    void everyPairOfSplitPointsGivesTheSameEvents() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int a = 0; a <= bytes.length; a++) {
            for (int b = a; b <= bytes.length; b++) {
                List<byte[]> chunks = List.of(Arrays.copyOfRange(bytes, 0, a), Arrays.copyOfRange(bytes, a, b),
                        Arrays.copyOfRange(bytes, b, bytes.length));
                assertThat(decode(chunks)).as("cuts at %d and %d", a, b).isEqualTo(EXPECTED);
            }
        }
    }

    @Test
    void oneByteAtATimeDecodesMultiByteCharactersIntact() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : bytes) {
            chunks.add(new byte[] {b});
        }
        assertThat(decode(chunks)).isEqualTo(EXPECTED);
        assertThat(decode(chunks).get(0).data()).doesNotContain("\uFFFD");
    }

    @Test
    void carriageReturnAtTheEndOfAChunkAndLineFeedAtTheStartOfTheNextAreOneLineBreak() {
        SseDecoder decoder = new SseDecoder();
        assertThat(decoder.feed("data: a\r".getBytes(StandardCharsets.UTF_8))).isEmpty();
        // Were the \n taken for a second, empty line, "a" would be dispatched alone and "b" after it.
        assertThat(decoder.feed("\ndata: b\r\n\r\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(SseEvent.message("a\nb"));
    }

    @Test
    void eventIsDispatchedOnlyAtTheBlankLine() {
        SseDecoder decoder = new SseDecoder();
        assertThat(decoder.feed("data: {\"a\": 1}\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(decoder.feed("\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(SseEvent.message("{\"a\": 1}"));
    }

    @Test
    void commentsAndFieldsWithoutDataDispatchNothing() {
        assertThat(decode(List.of(": ping\n\nevent: x\nid: 1\n\n:\n\n".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }

    @Test
    void finishDispatchesALastEventThatLacksItsBlankLineOrLineBreak() {
        assertThat(decode(List.of("data: a\n\ndata: [DONE]".getBytes(StandardCharsets.UTF_8))))
                .containsExactly(SseEvent.message("a"), SseEvent.message("[DONE]"));
    }

    @Test
    void skipsALeadingByteOrderMark() {
        assertThat(decode(List.of("\uFEFFdata: x\n\n".getBytes(StandardCharsets.UTF_8))))
                .containsExactly(SseEvent.message("x"));
    }

    @Test
    void rejectsALineLongerThanTheLimit() {
        SseDecoder decoder = new SseDecoder(16);
        assertThat(decoder.feed("data: 0123456789\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThatThrownBy(() -> decoder.feed("data: 0123456789AB".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("longer than 16 bytes");
    }

    @Test
    void decodesAnOffsetRange() {
        byte[] bytes = "xxdata: y\n\nzz".getBytes(StandardCharsets.UTF_8);
        assertThat(new SseDecoder().feed(bytes, 2, bytes.length - 4)).containsExactly(SseEvent.message("y"));
    }
}
