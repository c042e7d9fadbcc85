package io.rewoo4j.runtime.tokenizer;

/**
 * A BPE tokenizer model as both loaders produce it: the typed form of {@code tokenizer.model} or
 * {@code tokenizer.json}, before {@code tokenizer_config.json} is applied.
 *
 * @param source the file it was read from, for messages
 * @param bosId the beginning-of-sequence id the model file declares, or -1
 * @param eosId the end-of-sequence id the model file declares, or -1
 * @param unknownSurface what the unknown piece decodes to
 */
record TokenizerModel(
        String source,
        Vocabulary vocabulary,
        SentencePieceNormalizer normalizer,
        boolean byteFallback,
        int unkId,
        int bosId,
        int eosId,
        String unknownSurface) {

    TokenizerModel {
        int size = vocabulary.size();
        if (unkId < 0 || unkId >= size || vocabulary.type(unkId) != PieceType.UNKNOWN) {
            throw new TokenizerFormatException(source, "unk_id",
                    "unknown id " + unkId + " is not an UNKNOWN piece of the " + size + "-piece vocabulary");
        }
        checkSpecial(source, "bos_id", bosId, size);
        checkSpecial(source, "eos_id", eosId, size);
        if (byteFallback && !vocabulary.hasAllBytePieces()) {
            throw new TokenizerFormatException(source, "byte_fallback",
                    "byte fallback is on but the vocabulary lacks some of the 256 <0xNN> pieces");
        }
    }

    private static void checkSpecial(String source, String field, int id, int size) {
        if (id < -1 || id >= size) {
            throw new TokenizerFormatException(source, field, "id " + id + " is outside the vocabulary of " + size);
        }
    }
}
