package io.rewoo4j.runtime.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The committed fixtures made by {@code model-runtime/scripts/tokenizer/make_fixtures.py}: Mistral v1's
 * tokenizer in both formats and the corpus with the ids and decodes {@code sentencepiece} gives.
 */
final class TokenizerFixtures {

    record Entry(String name, String text, int[] ids, String decoded) {
        @Override
        public String toString() {
            return name;
        }
    }

    record DecodeCase(String name, int[] ids, String decoded) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Entry> entries;
    private static List<DecodeCase> decodes;
    private static Tokenizer sentencePiece;
    private static Tokenizer huggingFace;

    private TokenizerFixtures() {
    }

    /** The directory with {@code tokenizer.model}, {@code tokenizer.json.gz} and {@code tokenizer_config.json}. */
    static Path mistralDir() {
        try {
            return Path.of(TokenizerFixtures.class.getResource("/tokenizer/mistral-v1/tokenizer.model").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static synchronized Tokenizer sentencePiece() {
        if (sentencePiece == null) {
            try {
                sentencePiece = Tokenizer.load(mistralDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sentencePiece;
    }

    static synchronized Tokenizer huggingFace() {
        if (huggingFace == null) {
            try {
                huggingFace = Tokenizer.load(huggingFaceDir(Files.createTempDirectory("tokenizer-json")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return huggingFace;
    }

    /** Fills {@code dir} with a model directory holding only {@code tokenizer.json} and the config. */
    static Path huggingFaceDir(Path dir) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(mistralDir().resolve("tokenizer.json.gz")))) {
            Files.copy(in, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(mistralDir().resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"),
                StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    static synchronized List<Entry> corpus() {
        load();
        return entries;
    }

    static synchronized List<DecodeCase> decodeCases() {
        load();
        return decodes;
    }

    private static void load() {
        if (entries != null) {
            return;
        }
        try (InputStream in = TokenizerFixtures.class.getResourceAsStream("/tokenizer/mistral-v1-corpus.json")) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            List<Entry> e = new ArrayList<>();
            for (JsonNode node : root.get("entries")) {
                e.add(new Entry(node.get("name").stringValue(), node.get("text").stringValue(), ids(node.get("ids")),
                        node.get("decoded").stringValue()));
            }
            List<DecodeCase> d = new ArrayList<>();
            for (JsonNode node : root.get("decodes")) {
                d.add(new DecodeCase(node.get("name").stringValue(), ids(node.get("ids")),
                        node.get("decoded").stringValue()));
            }
            entries = List.copyOf(e);
            decodes = List.copyOf(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).intValue();
        }
        return ids;
    }
}
