package io.rewoo4j.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

/** {@code tokenizer.json} variants: what maps onto sentencepiece's rules, and clear refusals otherwise. */
class HuggingFaceTokenizerReaderTest {

    private static final String VOCAB = "\"vocab\": {\"<unk>\": 0, \"<s>\": 1, \"</s>\": 2, \"▁\": 3, \"a\": 4,"
            + " \"b\": 5, \"ab\": 6, \"▁ab\": 7}, \"merges\": [[\"a\", \"b\"], [\"▁\", \"ab\"]], \"unk_token\": \"<unk>\"";
    private static final String ADDED = "\"added_tokens\": [{\"id\": 1, \"content\": \"<s>\", \"special\": true},"
            + " {\"id\": 2, \"content\": \"</s>\", \"special\": true}, {\"id\": 0, \"content\": \"<unk>\", \"special\": true}]";

    @Test
    void metaspacePreTokenizerMeansDummyPrefixAndEscapedSpaces() {
        TokenizerModel model = parse("{\"model\": {\"type\": \"BPE\", " + VOCAB + "}, " + ADDED
                + ", \"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"first\","
                + " \"split\": false}}");
        assertThat(model.normalizer()).isEqualTo(new SentencePieceNormalizer(true, false, true, false));
        assertThat(model.bosId()).isEqualTo(1);
        assertThat(new BpeEncoderHarness(model).encode("ab ab")).containsExactly(7, 7);
    }

    @Test
    void legacyMergeStringsAndPrependReplaceNormalizerAreRead() {
        TokenizerModel model = parse("{\"model\": {\"type\": \"BPE\", " + VOCAB.replace(
                "[[\"a\", \"b\"], [\"▁\", \"ab\"]]", "[\"a b\", \"▁ ab\"]") + "}, " + ADDED
                + ", \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\": \"▁\"},"
                + " {\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"▁\"}]}}");
        assertThat(model.vocabulary().mergeScore(6)).isEqualTo(0f);
        assertThat(model.vocabulary().mergeScore(7)).isEqualTo(-1f);
        assertThat(new BpeEncoderHarness(model).encode("ab")).containsExactly(7);
    }

    @Test
    void unsupportedTokenizersAreRefusedWithTheField() {
        assertThatThrownBy(() -> parse("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("model.type")
                .hasMessageContaining("Unigram");
        assertThatThrownBy(() -> parse("{\"model\": {\"type\": \"BPE\", " + VOCAB + "}, "
                + "\"pre_tokenizer\": {\"type\": \"ByteLevel\"}}"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("pre_tokenizer")
                .hasMessageContaining("byte-level");
        assertThatThrownBy(() -> parse("{\"model\": {\"type\": \"BPE\", " + VOCAB + "}, "
                + "\"normalizer\": {\"type\": \"NFKC\"}}"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("normalizer");
        assertThatThrownBy(() -> parse("{\"model\": {\"type\": \"BPE\", " + VOCAB.replace("[\"▁\", \"ab\"]",
                "[\"▁\", \"b\"]") + "}}"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("model.merges[1]")
                .hasMessageContaining("▁b");
    }

    private static TokenizerModel parse(String json) {
        JsonNode root = JsonMapper.builder().build().readTree(json);
        return HuggingFaceTokenizerReader.parse(root, "tokenizer.json");
    }

    /** Runs normalizer + encoder of a parsed model. */
    private record BpeEncoderHarness(TokenizerModel model) {
        int[] encode(String text) {
            java.util.List<Integer> ids = new java.util.ArrayList<>();
            new BpeEncoder(model.vocabulary(), model.byteFallback(), model.unkId())
                    .encode(model.normalizer().normalize(text, model.vocabulary().userDefined()), ids::add);
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
