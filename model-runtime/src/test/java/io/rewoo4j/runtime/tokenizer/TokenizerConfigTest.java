package io.rewoo4j.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BOS/EOS follow {@code tokenizer_config.json}; loading picks the right files. */
class TokenizerConfigTest {

    @TempDir
    Path dir;

    @Test
    void mistralConfigAddsBosButNotEos() {
        Tokenizer tokenizer = TokenizerFixtures.sentencePiece();
        assertThat(tokenizer.config()).isEqualTo(new TokenizerConfig(true, false, "<s>", "</s>"));
        assertThat(tokenizer.bos()).isEqualTo(1);
        assertThat(tokenizer.eos()).isEqualTo(2);
        assertThat(tokenizer.unk()).isZero();
        // sentencepiece: sp.encode("Hello world") == [22557, 1526]
        assertThat(tokenizer.encode("Hello world")).containsExactly(1, 22557, 1526);
        assertThat(tokenizer.encode("Hello world", false)).containsExactly(22557, 1526);
        assertThat(tokenizer.encode("Hello world", true, true)).containsExactly(1, 22557, 1526, 2);
        assertThat(tokenizer.encode("")).containsExactly(1);
        assertThat(tokenizer.decode(tokenizer.encode("Hello world", true, true))).isEqualTo("Hello world");
    }

    @Test
    void addBosFalseAndAddEosTrueAreHonoured() throws IOException {
        copyModel();
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"add_bos_token\": false, \"add_eos_token\": true, \"eos_token\": \"</s>\"}");
        Tokenizer tokenizer = Tokenizer.load(dir);
        assertThat(tokenizer.encode("Hello world")).containsExactly(22557, 1526, 2);
    }

    @Test
    void withoutConfigFilesBosIsAddedAndTheModelIdsAreUsed() throws IOException {
        copyModel();
        Tokenizer tokenizer = Tokenizer.load(dir);
        assertThat(tokenizer.config()).isEqualTo(TokenizerConfig.DEFAULT);
        assertThat(tokenizer.encode("Hello world")).containsExactly(1, 22557, 1526);
        assertThat(tokenizer.eos()).isEqualTo(2);
    }

    @Test
    void specialTokensMapNamesTheTokensWhenTheConfigDoesNot() throws IOException {
        copyModel();
        Files.writeString(dir.resolve("special_tokens_map.json"),
                "{\"bos_token\": {\"content\": \"</s>\"}, \"eos_token\": \"<s>\"}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": true}");
        Tokenizer tokenizer = Tokenizer.load(dir);
        assertThat(tokenizer.bos()).isEqualTo(2);
        assertThat(tokenizer.eos()).isEqualTo(1);
    }

    @Test
    void aTokenMissingFromTheVocabularyIsAClearError() throws IOException {
        copyModel();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<|begin_of_text|>\"}");
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("bos_token").hasMessageContaining("<|begin_of_text|>");
    }

    @Test
    void malformedConfigNamesTheFileAndField() throws IOException {
        copyModel();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": \"yes\"}");
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("tokenizer_config.json").hasMessageContaining("add_bos_token");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": tru");
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("tokenizer_config.json").hasMessageContaining("invalid JSON");
    }

    @Test
    void loadPrefersTokenizerModelAndFallsBackToTokenizerJson() throws IOException {
        TokenizerFixtures.huggingFaceDir(dir);
        assertThat(Tokenizer.load(dir).source()).endsWith("tokenizer.json");
        copyModel();
        assertThat(Tokenizer.load(dir).source()).endsWith("tokenizer.model");
    }

    @Test
    void aDirectoryWithoutATokenizerIsAClearError() {
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("tokenizer.model").hasMessageContaining("tokenizer.json");
    }

    @Test
    void pieceLookupWorksBothWays() {
        Tokenizer tokenizer = TokenizerFixtures.sentencePiece();
        assertThat(tokenizer.vocabularySize()).isEqualTo(32000);
        assertThat(tokenizer.piece(22557)).isEqualTo("▁Hello");
        assertThat(tokenizer.pieceId("▁Hello")).hasValue(22557);
        assertThat(tokenizer.pieceId("<0x0A>")).hasValue(13);
        assertThat(tokenizer.pieceType(13)).isEqualTo(PieceType.BYTE);
        assertThat(tokenizer.pieceType(1)).isEqualTo(PieceType.CONTROL);
        assertThat(tokenizer.pieceType(0)).isEqualTo(PieceType.UNKNOWN);
        assertThat(tokenizer.pieceId("no such piece")).isEmpty();
        assertThat(TokenizerFixtures.huggingFace().pieceType(13)).isEqualTo(PieceType.BYTE);
        assertThat(TokenizerFixtures.huggingFace().pieceType(1)).isEqualTo(PieceType.CONTROL);
        assertThat(TokenizerFixtures.huggingFace().bos()).isEqualTo(1);
        assertThat(TokenizerFixtures.huggingFace().eos()).isEqualTo(2);
    }

    private void copyModel() throws IOException {
        Files.copy(TokenizerFixtures.mistralDir().resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
    }
}
