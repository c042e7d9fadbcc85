package io.rewoo4j.runtime.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * A SentencePiece-style BPE tokenizer (Llama, Mistral, Mixtral) that encodes exactly as the
 * {@code sentencepiece} library does, loaded from {@code tokenizer.model} or from the equivalent Hugging Face
 * {@code tokenizer.json}.
 *
 * <p>Encoding: the text is normalized (a dummy-prefix space is put in front, spaces become {@code ▁}), split
 * into code points, and merged pairwise, best-scoring merge first; characters with no piece fall back to
 * {@code <0xNN>} byte pieces. Text is always plain text: a literal {@code "<s>"} in it is three characters,
 * not BOS — special tokens are added only through the {@code addBos}/{@code addEos} flags, as in
 * sentencepiece.
 *
 * <p>Decoding follows sentencepiece's {@code DecodeIds}; {@link #newStreamingDecoder()} gives the same text
 * incrementally without ever splitting a character.
 *
 * <p>Immutable and thread-safe.
 */
public final class Tokenizer {

    /** The SentencePiece model file a model directory may hold. */
    public static final String SENTENCEPIECE_FILE = "tokenizer.model";
    /** The Hugging Face tokenizers file a model directory may hold. */
    public static final String HUGGING_FACE_FILE = "tokenizer.json";

    private final TokenizerModel model;
    private final TokenizerConfig config;
    private final BpeEncoder encoder;
    private final int bos;
    private final int eos;

    private Tokenizer(TokenizerModel model, TokenizerConfig config) {
        this.model = model;
        this.config = config;
        this.encoder = new BpeEncoder(model.vocabulary(), model.byteFallback(), model.unkId());
        this.bos = resolve(config.bosToken(), model.bosId(), "bos_token");
        this.eos = resolve(config.eosToken(), model.eosId(), "eos_token");
        if (config.addBos() && bos < 0) {
            throw new TokenizerFormatException(model.source(), "add_bos_token", "BOS is to be added but the model has none");
        }
        if (config.addEos() && eos < 0) {
            throw new TokenizerFormatException(model.source(), "add_eos_token", "EOS is to be added but the model has none");
        }
    }

    /**
     * Loads the tokenizer of a model directory: {@code tokenizer.model} if present, else {@code tokenizer.json},
     * with {@code tokenizer_config.json} / {@code special_tokens_map.json} if present (see
     * {@link TokenizerConfig#read}).
     *
     * @throws TokenizerFormatException if a file is corrupt or describes an unsupported tokenizer
     * @throws java.nio.file.NoSuchFileException if the directory has neither tokenizer file
     */
    public static Tokenizer load(Path modelDir) throws IOException {
        TokenizerConfig config = TokenizerConfig.read(modelDir);
        Path sentencePiece = modelDir.resolve(SENTENCEPIECE_FILE);
        if (Files.isRegularFile(sentencePiece)) {
            return fromSentencePieceModel(sentencePiece, config);
        }
        Path huggingFace = modelDir.resolve(HUGGING_FACE_FILE);
        if (Files.isRegularFile(huggingFace)) {
            return fromHuggingFaceJson(huggingFace, config);
        }
        throw new java.nio.file.NoSuchFileException(modelDir.toString(), null,
                "no " + SENTENCEPIECE_FILE + " or " + HUGGING_FACE_FILE + " in the model directory");
    }

    /** Loads a SentencePiece {@code tokenizer.model} file. */
    public static Tokenizer fromSentencePieceModel(Path file, TokenizerConfig config) throws IOException {
        return new Tokenizer(SentencePieceModelReader.read(file), config);
    }

    /** Loads a Hugging Face {@code tokenizer.json} file describing a SentencePiece-style BPE model. */
    public static Tokenizer fromHuggingFaceJson(Path file, TokenizerConfig config) throws IOException {
        return new Tokenizer(HuggingFaceTokenizerReader.read(file), config);
    }

    /** Encodes {@code text}, adding BOS and EOS as the tokenizer config says. */
    public int[] encode(String text) {
        return encode(text, config.addBos(), config.addEos());
    }

    /** Encodes {@code text}, with BOS first if {@code addBos}; never adds EOS. */
    public int[] encode(String text, boolean addBos) {
        return encode(text, addBos, false);
    }

    /**
     * Encodes {@code text} exactly as sentencepiece's {@code encode(text, add_bos, add_eos)} does.
     *
     * @throws IllegalStateException if BOS/EOS is asked for but the model has none
     */
    public int[] encode(String text, boolean addBos, boolean addEos) {
        if ((addBos && bos < 0) || (addEos && eos < 0)) {
            throw new IllegalStateException(model.source() + " defines no " + (addBos && bos < 0 ? "BOS" : "EOS"));
        }
        IdBuffer ids = new IdBuffer(text.length() / 3 + 4);
        if (addBos) {
            ids.add(bos);
        }
        encoder.encode(model.normalizer().normalize(text, model.vocabulary().userDefined()), ids);
        if (addEos) {
            ids.add(eos);
        }
        return ids.toArray();
    }

    /**
     * Decodes ids to text as sentencepiece's {@code decode} does (control ids such as BOS vanish).
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int[] ids) {
        StreamingDecoder decoder = newStreamingDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(decoder.accept(id));
        }
        return text.append(decoder.finish()).toString();
    }

    /** A decoder for one sequence of ids arriving one at a time. */
    public StreamingDecoder newStreamingDecoder() {
        return new StreamingDecoder(this);
    }

    /** The beginning-of-sequence id, or -1 if the model has none. */
    public int bos() {
        return bos;
    }

    /** The end-of-sequence id, or -1 if the model has none. */
    public int eos() {
        return eos;
    }

    /** The unknown piece's id. */
    public int unk() {
        return model.unkId();
    }

    /** The special-token settings in force. */
    public TokenizerConfig config() {
        return config;
    }

    /** The number of pieces; valid ids are {@code 0..vocabularySize()-1}. */
    public int vocabularySize() {
        return model.vocabulary().size();
    }

    /** The piece text of {@code id}, e.g. {@code "▁Hello"} or {@code "<0x0A>"}. */
    public String piece(int id) {
        checkId(id);
        return model.vocabulary().piece(id);
    }

    /** The type of piece {@code id}. */
    public PieceType pieceType(int id) {
        checkId(id);
        return model.vocabulary().type(id);
    }

    /** The id of a piece given by its text (as {@link #piece} returns it), if the vocabulary has it. */
    public OptionalInt pieceId(String piece) {
        int id = model.vocabulary().find(piece);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The file this tokenizer was loaded from. */
    public String source() {
        return model.source();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + model.source() + ", " + vocabularySize() + " pieces, bos=" + bos + ", eos=" + eos
                + ", addBos=" + config.addBos() + ", addEos=" + config.addEos() + "]";
    }

    void checkId(int id) {
        if (id < 0 || id >= model.vocabulary().size()) {
            throw new IllegalArgumentException("Invalid id " + id + ": the vocabulary has "
                    + model.vocabulary().size() + " pieces");
        }
    }

    boolean stripsLeadingSpace() {
        SentencePieceNormalizer n = model.normalizer();
        return n.addDummyPrefix() || n.removeExtraWhitespaces();
    }

    boolean removesExtraWhitespaces() {
        return model.normalizer().removeExtraWhitespaces();
    }

    String unknownSurface() {
        return model.unknownSurface();
    }

    private int resolve(String token, int modelId, String field) {
        if (token == null) {
            return modelId;
        }
        int id = model.vocabulary().find(token);
        if (id < 0) {
            throw new TokenizerFormatException(TokenizerConfig.FILE, field,
                    "token \"" + token + "\" is not in the vocabulary of " + model.source());
        }
        return id;
    }

    /** A growable int array. */
    private static final class IdBuffer implements BpeEncoder.IdSink {
        private int[] ids;
        private int size;

        IdBuffer(int capacity) {
            ids = new int[Math.max(4, capacity)];
        }

        @Override
        public void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}
