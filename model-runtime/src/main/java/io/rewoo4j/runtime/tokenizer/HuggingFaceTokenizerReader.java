package io.rewoo4j.runtime.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Hugging Face {@code tokenizer.json} that describes a SentencePiece-style BPE model (as transformers'
 * Llama converter writes it: {@code model.type} {@code "BPE"} with {@code vocab}, {@code merges} and
 * {@code byte_fallback}; spaces handled by a {@code Prepend("▁")} + {@code Replace(" ", "▁")} normalizer or
 * a {@code Metaspace} pre-tokenizer) into the same {@link TokenizerModel} as {@code tokenizer.model}.
 *
 * <p>Merge rules become piece scores: a piece's score is minus the rank of the first merge that produces it,
 * so the earliest rule wins, as the merge order the converter writes is the pieces' score order. Byte-level
 * (GPT-2 style) and Unigram tokenizers are refused with the field that says why.
 */
final class HuggingFaceTokenizerReader {

    private static final String SPACE_SYMBOL = String.valueOf(SentencePieceNormalizer.SPACE_SYMBOL);

    private HuggingFaceTokenizerReader() {
    }

    static TokenizerModel read(Path file) throws IOException {
        return parse(TokenizerConfig.readJson(file), file.toString());
    }

    static TokenizerModel parse(JsonNode root, String source) {
        JsonNode model = object(root.get("model"), "model", source);
        String type = text(model.get("type"), "model.type", source);
        if (!"BPE".equals(type)) {
            throw new TokenizerFormatException(source, "model.type",
                    "\"" + type + "\" models are not supported, only \"BPE\"");
        }
        for (String unsupported : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonNode node = model.get(unsupported);
            if (node != null && !node.isNull() && !(node.isString() && node.stringValue().isEmpty())) {
                throw new TokenizerFormatException(source, "model." + unsupported, "not supported");
            }
        }
        JsonNode ignoreMerges = model.get("ignore_merges");
        if (ignoreMerges != null && ignoreMerges.booleanValue(false)) {
            throw new TokenizerFormatException(source, "model.ignore_merges", "true is not supported");
        }

        JsonNode vocab = object(model.get("vocab"), "model.vocab", source);
        JsonNode added = root.get("added_tokens");
        int size = 0;
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            size = Math.max(size, id(entry.getValue(), "model.vocab[\"" + entry.getKey() + "\"]", source) + 1);
        }
        if (added != null && added.isArray()) {
            for (JsonNode token : added) {
                size = Math.max(size, id(token.get("id"), "added_tokens[].id", source) + 1);
            }
        }
        String[] pieces = new String[size];
        PieceType[] types = new PieceType[size];
        boolean byteFallback = model.path("byte_fallback").booleanValue(false);
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            int id = entry.getValue().intValue();
            pieces[id] = entry.getKey();
            types[id] = byteFallback && Vocabulary.byteOf(entry.getKey()) >= 0 ? PieceType.BYTE : PieceType.NORMAL;
        }
        if (added != null && added.isArray()) {
            for (JsonNode token : added) {
                int id = token.get("id").intValue();
                String content = text(token.get("content"), "added_tokens[" + id + "].content", source);
                if (pieces[id] != null && !pieces[id].equals(content)) {
                    throw new TokenizerFormatException(source, "added_tokens[" + id + "]",
                            "content \"" + content + "\" differs from the vocabulary's \"" + pieces[id] + "\"");
                }
                pieces[id] = content;
                boolean special = token.get("special") != null && token.get("special").booleanValue(false);
                types[id] = special ? PieceType.CONTROL : PieceType.USER_DEFINED;
            }
        }
        for (int id = 0; id < size; id++) {
            if (pieces[id] == null) {
                throw new TokenizerFormatException(source, "model.vocab", "no piece has id " + id);
            }
        }

        JsonNode unkNode = model.get("unk_token");
        if (unkNode == null || unkNode.isNull()) {
            throw new TokenizerFormatException(source, "model.unk_token", "missing: an unknown piece is required");
        }
        String unkPiece = text(unkNode, "model.unk_token", source);
        int unkId = indexOf(pieces, unkPiece);
        if (unkId < 0) {
            throw new TokenizerFormatException(source, "model.unk_token", "\"" + unkPiece + "\" is not in the vocabulary");
        }
        types[unkId] = PieceType.UNKNOWN;

        float[] scores = new float[size];
        boolean[] mergeable = new boolean[size];
        Vocabulary lookup = new Vocabulary(source, pieces, types, scores, mergeable);
        JsonNode merges = model.get("merges");
        if (merges == null || !merges.isArray()) {
            throw new TokenizerFormatException(source, "model.merges", "missing or not an array");
        }
        int rank = 0;
        for (JsonNode merge : merges) {
            String field = "model.merges[" + rank + "]";
            String left;
            String right;
            if (merge.isArray() && merge.size() == 2) {
                left = text(merge.get(0), field, source);
                right = text(merge.get(1), field, source);
            } else if (merge.isString() && merge.stringValue().indexOf(' ') > 0) {
                String rule = merge.stringValue();
                int space = rule.indexOf(' ');
                left = rule.substring(0, space);
                right = rule.substring(space + 1);
            } else {
                throw new TokenizerFormatException(source, field, "expected [\"left\", \"right\"] or \"left right\"");
            }
            int id = lookup.find(left + right);
            if (id < 0) {
                throw new TokenizerFormatException(source, field,
                        "merged piece \"" + left + right + "\" is not in the vocabulary");
            }
            if (!mergeable[id]) {
                mergeable[id] = true;
                scores[id] = -rank;
            }
            rank++;
        }

        SentencePieceNormalizer normalizer = whitespaceRules(root, source);
        int bos = indexOf(pieces, "<s>");
        int eos = indexOf(pieces, "</s>");
        return new TokenizerModel(source, new Vocabulary(source, pieces, types, scores, mergeable), normalizer,
                byteFallback, unkId, bos >= 0 && types[bos] == PieceType.CONTROL ? bos : -1,
                eos >= 0 && types[eos] == PieceType.CONTROL ? eos : -1, " \u2047 ");
    }

    /** Maps the normalizer / pre-tokenizer onto sentencepiece's whitespace rules, refusing anything else. */
    private static SentencePieceNormalizer whitespaceRules(JsonNode root, String source) {
        boolean prepend = false;
        boolean escape = false;
        JsonNode normalizer = root.get("normalizer");
        if (normalizer != null && !normalizer.isNull()) {
            JsonNode[] steps = "Sequence".equals(normalizer.path("type").asString(""))
                    ? toArray(normalizer.get("normalizers")) : new JsonNode[] {normalizer};
            for (JsonNode step : steps) {
                String type = step.path("type").asString("");
                if ("Prepend".equals(type) && SPACE_SYMBOL.equals(step.path("prepend").asString(""))) {
                    prepend = true;
                } else if ("Replace".equals(type) && " ".equals(step.path("pattern").path("String").asString(null))
                        && SPACE_SYMBOL.equals(step.path("content").asString(""))) {
                    escape = true;
                } else {
                    throw new TokenizerFormatException(source, "normalizer",
                            "normalizer " + step + " is not supported (only Prepend(\"▁\") and Replace(\" \", \"▁\"))");
                }
            }
        }
        JsonNode preTokenizer = root.get("pre_tokenizer");
        if (preTokenizer != null && !preTokenizer.isNull()) {
            String type = preTokenizer.path("type").asString("");
            if (!"Metaspace".equals(type)) {
                throw new TokenizerFormatException(source, "pre_tokenizer", "\"" + type + "\" is not supported"
                        + ("ByteLevel".equals(type) ? " (byte-level BPE)" : "") + ", only Metaspace");
            }
            if (!SPACE_SYMBOL.equals(preTokenizer.path("replacement").asString(SPACE_SYMBOL))) {
                throw new TokenizerFormatException(source, "pre_tokenizer.replacement", "only \"▁\" is supported");
            }
            if (preTokenizer.path("split").booleanValue(false)) {
                throw new TokenizerFormatException(source, "pre_tokenizer.split",
                        "splitting on ▁ is not supported (sentencepiece merges across spaces)");
            }
            escape = true;
            String scheme = preTokenizer.path("prepend_scheme").asString(null);
            if (scheme == null) {
                prepend |= preTokenizer.path("add_prefix_space").booleanValue(true);
            } else {
                // "first" differs from "always" only after special-token splits, which this encoder never does
                prepend |= !"never".equals(scheme);
            }
        }
        return new SentencePieceNormalizer(prepend, false, escape, false);
    }

    private static JsonNode[] toArray(JsonNode array) {
        JsonNode[] out = new JsonNode[array == null ? 0 : array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i);
        }
        return out;
    }

    private static int indexOf(String[] pieces, String piece) {
        return Arrays.asList(pieces).indexOf(piece);
    }

    private static JsonNode object(JsonNode node, String field, String source) {
        if (node == null || !node.isObject()) {
            throw new TokenizerFormatException(source, field, "missing or not an object");
        }
        return node;
    }

    private static String text(JsonNode node, String field, String source) {
        if (node == null || !node.isString()) {
            throw new TokenizerFormatException(source, field, "missing or not a string");
        }
        return node.stringValue();
    }

    private static int id(JsonNode node, String field, String source) {
        if (node == null || !node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 0) {
            throw new TokenizerFormatException(source, field, "not a non-negative integer id");
        }
        return node.intValue();
    }
}
