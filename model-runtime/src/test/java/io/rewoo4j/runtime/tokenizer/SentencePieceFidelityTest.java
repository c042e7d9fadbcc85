package io.rewoo4j.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewoo4j.runtime.tokenizer.TokenizerFixtures.DecodeCase;
import io.rewoo4j.runtime.tokenizer.TokenizerFixtures.Entry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corpus text encodes to exactly the ids the {@code sentencepiece} package gives (through both
 * {@code tokenizer.model} and {@code tokenizer.json}), and every id sequence decodes to exactly its text.
 */
class SentencePieceFidelityTest {

    static Stream<Entry> corpus() {
        return TokenizerFixtures.corpus().stream();
    }

    static Stream<DecodeCase> decodeCases() {
        return TokenizerFixtures.decodeCases().stream();
    }

    @Test
    void corpusCoversTheRequiredKinds() {
        List<String> names = TokenizerFixtures.corpus().stream().map(Entry::name).toList();
        assertThat(names).contains("english-prose", "tabs-code", "multi-space-runs", "leading-trailing-spaces",
                "crlf", "accented-latin", "greek", "cjk-chinese", "arabic", "emoji-zwj", "emoji-skin-tones",
                "byte-fallback-rare", "seed-rewoo-planning-prompt", "seed-begininput-block");
        assertThat(names).hasSizeGreaterThan(300);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void sentencePieceModelEncodesLikeSentencePiece(Entry entry) {
        assertThat(TokenizerFixtures.sentencePiece().encode(entry.text(), false)).containsExactly(entry.ids());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void tokenizerJsonEncodesLikeSentencePiece(Entry entry) {
        assertThat(TokenizerFixtures.huggingFace().encode(entry.text(), false)).containsExactly(entry.ids());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void decodesLikeSentencePiece(Entry entry) {
        assertThat(TokenizerFixtures.sentencePiece().decode(entry.ids())).isEqualTo(entry.decoded());
        assertThat(TokenizerFixtures.huggingFace().decode(entry.ids())).isEqualTo(entry.decoded());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void roundTripsEveryCorpusText(Entry entry) {
        // the only lossy step is that a literal ▁ in the text decodes to the space it stands for
        Tokenizer tokenizer = TokenizerFixtures.sentencePiece();
        assertThat(tokenizer.decode(tokenizer.encode(entry.text()))).isEqualTo(entry.text().replace('\u2581', ' '));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodeCases")
    void decodesHandMadeIdSequencesLikeSentencePiece(DecodeCase decodeCase) {
        assertThat(TokenizerFixtures.sentencePiece().decode(decodeCase.ids())).isEqualTo(decodeCase.decoded());
    }
}
