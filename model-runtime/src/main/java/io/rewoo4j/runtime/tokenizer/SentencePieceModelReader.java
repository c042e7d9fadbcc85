package io.rewoo4j.runtime.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a SentencePiece {@code tokenizer.model}: a serialized {@code ModelProto} (sentencepiece_model.proto),
 * parsed here with a small wire-format reader so the runtime needs no protobuf library. Only BPE models with
 * the {@code identity} normalization rule (no precompiled character map) are supported, as Llama and Mistral
 * ship; anything else is refused with the field that says why.
 */
final class SentencePieceModelReader {

    // ModelProto
    private static final int PIECES = 1;
    private static final int TRAINER_SPEC = 2;
    private static final int NORMALIZER_SPEC = 3;
    private static final int DENORMALIZER_SPEC = 5;
    // ModelProto.SentencePiece
    private static final int PIECE = 1;
    private static final int SCORE = 2;
    private static final int TYPE = 3;
    // TrainerSpec
    private static final int MODEL_TYPE = 3;
    private static final int TREAT_WHITESPACE_AS_SUFFIX = 24;
    private static final int BYTE_FALLBACK = 35;
    private static final int UNK_ID = 40;
    private static final int BOS_ID = 41;
    private static final int EOS_ID = 42;
    private static final int UNK_SURFACE = 44;
    // NormalizerSpec
    private static final int NAME = 1;
    private static final int PRECOMPILED_CHARSMAP = 2;
    private static final int ADD_DUMMY_PREFIX = 3;
    private static final int REMOVE_EXTRA_WHITESPACES = 4;
    private static final int ESCAPE_WHITESPACES = 5;
    private static final int NORMALIZATION_RULE_TSV = 6;

    private static final int MODEL_TYPE_UNIGRAM = 1;
    private static final int MODEL_TYPE_BPE = 2;

    private SentencePieceModelReader() {
    }

    static TokenizerModel read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    static TokenizerModel parse(byte[] bytes, String source) {
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<PieceType> types = new ArrayList<>();
        Trainer trainer = new Trainer();
        Normalizer normalizer = new Normalizer();
        boolean sawTrainer = false;
        ProtobufReader reader = new ProtobufReader(bytes, source);
        while (reader.next()) {
            switch (reader.fieldNumber()) {
                case PIECES -> readPiece(reader.readMessage("pieces[" + pieces.size() + "]"), pieces.size(),
                        pieces, scores, types);
                case TRAINER_SPEC -> {
                    readTrainer(reader.readMessage("trainer_spec"), trainer);
                    sawTrainer = true;
                }
                case NORMALIZER_SPEC -> readNormalizer(reader.readMessage("normalizer_spec"), normalizer,
                        "normalizer_spec");
                case DENORMALIZER_SPEC -> {
                    Normalizer denormalizer = new Normalizer();
                    readNormalizer(reader.readMessage("denormalizer_spec"), denormalizer, "denormalizer_spec");
                    if (denormalizer.charsmapLength > 0) {
                        throw new TokenizerFormatException(source, "denormalizer_spec.precompiled_charsmap",
                                "denormalization rules are not supported");
                    }
                }
                default -> reader.skip();
            }
        }
        if (pieces.isEmpty()) {
            throw new TokenizerFormatException(source, "pieces",
                    "no pieces: not a SentencePiece model, or an empty one");
        }
        if (!sawTrainer) {
            throw new TokenizerFormatException(source, "trainer_spec", "missing");
        }
        if (trainer.modelType == MODEL_TYPE_UNIGRAM) {
            throw new TokenizerFormatException(source, "trainer_spec.model_type",
                    "UNIGRAM models are not supported, only BPE (model_type 2)");
        }
        if (trainer.modelType != MODEL_TYPE_BPE) {
            throw new TokenizerFormatException(source, "trainer_spec.model_type",
                    "model type " + trainer.modelType + " is not supported, only BPE (model_type 2)");
        }
        if (normalizer.charsmapLength > 0 || !normalizer.ruleTsv.isEmpty()) {
            throw new TokenizerFormatException(source, "normalizer_spec.precompiled_charsmap",
                    "normalization rule '" + normalizer.name + "' with a character map is not supported, only "
                            + "'identity'");
        }
        int n = pieces.size();
        float[] scoreArray = new float[n];
        boolean[] mergeable = new boolean[n];
        PieceType[] typeArray = types.toArray(new PieceType[0]);
        for (int i = 0; i < n; i++) {
            scoreArray[i] = scores.get(i);
            // the pieces sentencepiece's BPE looks merges up in (model_interface.cc, pieces_)
            mergeable[i] = typeArray[i] == PieceType.NORMAL || typeArray[i] == PieceType.USER_DEFINED
                    || typeArray[i] == PieceType.UNUSED;
        }
        Vocabulary vocabulary = new Vocabulary(source, pieces.toArray(new String[0]), typeArray, scoreArray,
                mergeable);
        SentencePieceNormalizer normalizerSpec = new SentencePieceNormalizer(normalizer.addDummyPrefix,
                normalizer.removeExtraWhitespaces, normalizer.escapeWhitespaces, trainer.treatWhitespaceAsSuffix);
        return new TokenizerModel(source, vocabulary, normalizerSpec, trainer.byteFallback, trainer.unkId,
                trainer.bosId, trainer.eosId, trainer.unkSurface);
    }

    private static void readPiece(ProtobufReader reader, int index, List<String> pieces, List<Float> scores,
            List<PieceType> types) {
        String prefix = "pieces[" + index + "].";
        String piece = null;
        float score = 0f;
        PieceType type = PieceType.NORMAL;
        while (reader.next()) {
            switch (reader.fieldNumber()) {
                case PIECE -> piece = reader.readString(prefix + "piece");
                case SCORE -> score = reader.readFloat(prefix + "score");
                case TYPE -> {
                    int number = reader.readInt32(prefix + "type");
                    type = PieceType.fromProtoNumber(number);
                    if (type == null) {
                        throw reader.error(prefix + "type", "unknown piece type " + number);
                    }
                }
                default -> reader.skip();
            }
        }
        if (piece == null || piece.isEmpty()) {
            throw reader.error(prefix + "piece", "missing or empty");
        }
        pieces.add(piece);
        scores.add(score);
        types.add(type);
    }

    private static void readTrainer(ProtobufReader reader, Trainer trainer) {
        while (reader.next()) {
            switch (reader.fieldNumber()) {
                case MODEL_TYPE -> trainer.modelType = reader.readInt32("trainer_spec.model_type");
                case TREAT_WHITESPACE_AS_SUFFIX ->
                        trainer.treatWhitespaceAsSuffix = reader.readBool("trainer_spec.treat_whitespace_as_suffix");
                case BYTE_FALLBACK -> trainer.byteFallback = reader.readBool("trainer_spec.byte_fallback");
                case UNK_ID -> trainer.unkId = reader.readInt32("trainer_spec.unk_id");
                case BOS_ID -> trainer.bosId = reader.readInt32("trainer_spec.bos_id");
                case EOS_ID -> trainer.eosId = reader.readInt32("trainer_spec.eos_id");
                case UNK_SURFACE -> trainer.unkSurface = reader.readString("trainer_spec.unk_surface");
                default -> reader.skip();
            }
        }
    }

    private static void readNormalizer(ProtobufReader reader, Normalizer normalizer, String name) {
        while (reader.next()) {
            switch (reader.fieldNumber()) {
                case NAME -> normalizer.name = reader.readString(name + ".name");
                case PRECOMPILED_CHARSMAP ->
                        normalizer.charsmapLength = reader.readBytesLength(name + ".precompiled_charsmap");
                case ADD_DUMMY_PREFIX -> normalizer.addDummyPrefix = reader.readBool(name + ".add_dummy_prefix");
                case REMOVE_EXTRA_WHITESPACES ->
                        normalizer.removeExtraWhitespaces = reader.readBool(name + ".remove_extra_whitespaces");
                case ESCAPE_WHITESPACES ->
                        normalizer.escapeWhitespaces = reader.readBool(name + ".escape_whitespaces");
                case NORMALIZATION_RULE_TSV -> normalizer.ruleTsv = reader.readString(name + ".normalization_rule_tsv");
                default -> reader.skip();
            }
        }
    }

    /** TrainerSpec fields with the proto's defaults. */
    private static final class Trainer {
        int modelType = MODEL_TYPE_UNIGRAM;
        boolean treatWhitespaceAsSuffix;
        boolean byteFallback;
        int unkId = 0;
        int bosId = 1;
        int eosId = 2;
        String unkSurface = " \u2047 ";
    }

    /** NormalizerSpec fields with the proto's defaults. */
    private static final class Normalizer {
        String name = "";
        int charsmapLength;
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;
        String ruleTsv = "";
    }
}
