package io.rewoo4j.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewoo4j.runtime.tokenizer.TokenizerFixtures.DecodeCase;
import io.rewoo4j.runtime.tokenizer.TokenizerFixtures.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StreamingDecoderTest {

    private final Tokenizer tokenizer = TokenizerFixtures.sentencePiece();

    static Stream<Entry> corpus() {
        return TokenizerFixtures.corpus().stream();
    }

    static Stream<DecodeCase> decodeCases() {
        return TokenizerFixtures.decodeCases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void oneIdAtATimeGivesTheWholeDecodeAndNeverSplitsACharacter(Entry entry) {
        List<String> chunks = stream(entry.ids());
        assertThat(String.join("", chunks)).isEqualTo(entry.decoded());
        for (String chunk : chunks) {
            assertThat(completeCodePoints(chunk)).as("chunk %s", chunk).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodeCases")
    void invalidAndTruncatedByteRunsStreamLikeSentencePieceDecodes(DecodeCase decodeCase) {
        assertThat(String.join("", stream(decodeCase.ids()))).isEqualTo(decodeCase.decoded());
    }

    @Test
    void anEmojiSpelledInBytePiecesComesOutWholeWithItsLastByte() {
        int[] ids = tokenizer.encode("🜁", false); // not in the vocabulary: ▁ then four byte pieces
        assertThat(ids).hasSize(5);
        assertThat(tokenizer.pieceType(ids[1])).isEqualTo(PieceType.BYTE);
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(decoder.accept(id));
        }
        assertThat(out).containsExactly("", "", "", "", "🜁");
        assertThat(decoder.hasPendingBytes()).isFalse();
        assertThat(decoder.finish()).isEmpty();
    }

    @Test
    void aCharacterCutShortByTheEndOfTheSequenceBecomesReplacementCharacters() {
        int[] ids = tokenizer.encode("🜁", false);
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        for (int i = 0; i < 3; i++) {
            assertThat(decoder.accept(ids[i])).isEmpty();
        }
        assertThat(decoder.hasPendingBytes()).isTrue();
        assertThat(decoder.finish()).isEqualTo("\uFFFD\uFFFD");
    }

    @Test
    void theDummyPrefixSpaceIsDroppedOnlyAtTheStartAndBosIsInvisible() {
        int[] ids = tokenizer.encode("Hello world", true);
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(decoder.accept(id));
        }
        assertThat(text).hasToString("Hello world");
        assertThat(decoder.finish()).isEmpty();
        // reusable after finish()
        assertThat(decoder.accept(ids[1])).isEqualTo("Hello");
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        assertThatThrownBy(() -> decoder.accept(32000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32000");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
    }

    private List<String> stream(int[] ids) {
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            chunks.add(decoder.accept(id));
        }
        chunks.add(decoder.finish());
        return chunks;
    }

    private static boolean completeCodePoints(String chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= chunk.length() || !Character.isLowSurrogate(chunk.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
