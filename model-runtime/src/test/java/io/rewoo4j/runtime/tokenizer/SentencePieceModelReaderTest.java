package io.rewoo4j.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupt, truncated and unsupported {@code tokenizer.model} files fail with the file and field named. */
class SentencePieceModelReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsMistralsModelSpec() throws IOException {
        TokenizerModel model = SentencePieceModelReader.read(TokenizerFixtures.mistralDir().resolve("tokenizer.model"));
        assertThat(model.vocabulary().size()).isEqualTo(32000);
        assertThat(model.byteFallback()).isTrue();
        assertThat(model.unkId()).isZero();
        assertThat(model.bosId()).isEqualTo(1);
        assertThat(model.eosId()).isEqualTo(2);
        assertThat(model.normalizer()).isEqualTo(new SentencePieceNormalizer(true, false, true, false));
        assertThat(model.vocabulary().piece(300)).isEqualTo("om");
        assertThat(model.vocabulary().mergeScore(300)).isEqualTo(-41f);
    }

    @Test
    void truncatedFilesNameTheFileAndTheFieldBeingRead() throws IOException {
        byte[] bytes = Files.readAllBytes(TokenizerFixtures.mistralDir().resolve("tokenizer.model"));
        for (int length : new int[] {1, 7, 1000, bytes.length / 2, bytes.length - 3}) {
            Path file = dir.resolve("truncated-" + length + ".model");
            Files.write(file, Arrays.copyOf(bytes, length));
            assertThatThrownBy(() -> SentencePieceModelReader.read(file))
                    .isInstanceOf(TokenizerFormatException.class)
                    .hasMessageContaining(file.toString())
                    .satisfies(e -> assertThat(((TokenizerFormatException) e).field()).isNotBlank())
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void anEmptyFileIsNotAModel() throws IOException {
        Path file = dir.resolve("tokenizer.model");
        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> SentencePieceModelReader.read(file)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("pieces").hasMessageContaining("no pieces");
    }

    @Test
    void unigramModelsAreRefusedBecauseTheyAreUnigram() {
        byte[] model = model(1, true);
        assertThatThrownBy(() -> SentencePieceModelReader.parse(model, "unigram.model"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("unigram.model").hasMessageContaining("trainer_spec.model_type")
                .hasMessageContaining("UNIGRAM models are not supported");
    }

    @Test
    void aCharacterMapNormalizerIsRefused() {
        ProtoWriter normalizer = new ProtoWriter().string(1, "nmt_nfkc").bytes(2, new byte[] {1, 2, 3});
        byte[] model = new ProtoWriter().raw(model(2, false)).message(3, normalizer).toByteArray();
        assertThatThrownBy(() -> SentencePieceModelReader.parse(model, "nfkc.model"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("normalizer_spec.precompiled_charsmap").hasMessageContaining("nmt_nfkc");
    }

    @Test
    void aSmallHandMadeBpeModelEncodes() throws IOException {
        Path file = dir.resolve("tokenizer.model");
        Files.write(file, model(2, false));
        Tokenizer tokenizer = Tokenizer.fromSentencePieceModel(file, TokenizerConfig.DEFAULT);
        // pieces: <unk> <s> </s> ▁ a b ab ▁ab; without byte fallback unknown runs become one <unk>
        assertThat(tokenizer.encode("ab ab", false)).containsExactly(7, 7);
        assertThat(tokenizer.encode("abxyb", false)).containsExactly(7, 0, 5);
        assertThat(tokenizer.decode(new int[] {7, 0, 5})).isEqualTo("ab ⁇ b");
    }

    @Test
    void wrongWireTypesAndBadUtf8NameTheField() {
        byte[] badScore = new ProtoWriter().message(1, new ProtoWriter().string(1, "a").varint(2, 5)).toByteArray();
        assertThatThrownBy(() -> SentencePieceModelReader.parse(badScore, "x.model"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("pieces[0].score");
        byte[] badUtf8 = new ProtoWriter().message(1, new ProtoWriter().bytes(1, new byte[] {(byte) 0xC3})).toByteArray();
        assertThatThrownBy(() -> SentencePieceModelReader.parse(badUtf8, "x.model"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("pieces[0].piece")
                .hasMessageContaining("UTF-8");
        byte[] badType = new ProtoWriter().message(1, new ProtoWriter().string(1, "a").varint(3, 9)).toByteArray();
        assertThatThrownBy(() -> SentencePieceModelReader.parse(badType, "x.model"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("pieces[0].type");
    }

    @Test
    void randomCorruptionEitherLoadsOrFailsWithAFormatError() throws IOException {
        byte[] original = Files.readAllBytes(TokenizerFixtures.mistralDir().resolve("tokenizer.model"));
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            byte[] bytes = original.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
            Throwable thrown = catchThrowable(() -> SentencePieceModelReader.parse(bytes, "corrupt.model"));
            if (thrown != null) {
                assertThat(thrown).isInstanceOf(TokenizerFormatException.class).hasMessageStartingWith("corrupt.model");
            }
        }
        byte[] garbage = new byte[4096];
        random.nextBytes(garbage);
        assertThatThrownBy(() -> SentencePieceModelReader.parse(garbage, "garbage.model"))
                .isInstanceOf(TokenizerFormatException.class);
    }

    /** A model with pieces {@code <unk> <s> </s> ▁ a b ab ▁ab} of the given model type. */
    private static byte[] model(int modelType, boolean withNormalizer) {
        ProtoWriter model = new ProtoWriter()
                .message(1, piece("<unk>", 0, 2))
                .message(1, piece("<s>", 0, 3))
                .message(1, piece("</s>", 0, 3))
                .message(1, piece("▁", -1, 1))
                .message(1, piece("a", -2, 1))
                .message(1, piece("b", -3, 1))
                .message(1, piece("ab", -4, 1))
                .message(1, piece("▁ab", -5, 1))
                .message(2, new ProtoWriter().varint(3, modelType).varint(4, 8));
        if (withNormalizer) {
            model.message(3, new ProtoWriter().string(1, "identity").varint(4, 0));
        }
        return model.toByteArray();
    }

    private static ProtoWriter piece(String piece, float score, int type) {
        return new ProtoWriter().string(1, piece).fixed32(2, Float.floatToIntBits(score)).varint(3, type);
    }

    /** Writes protobuf wire format, for building test models. */
    static final class ProtoWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ProtoWriter varint(int field, long value) {
            writeVarint((long) field << 3);
            writeVarint(value);
            return this;
        }

        ProtoWriter fixed32(int field, int value) {
            writeVarint((long) field << 3 | 5);
            for (int i = 0; i < 4; i++) {
                out.write(value >>> (8 * i));
            }
            return this;
        }

        ProtoWriter bytes(int field, byte[] value) {
            writeVarint((long) field << 3 | 2);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        ProtoWriter string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        ProtoWriter message(int field, ProtoWriter message) {
            return bytes(field, message.toByteArray());
        }

        ProtoWriter raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void writeVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
