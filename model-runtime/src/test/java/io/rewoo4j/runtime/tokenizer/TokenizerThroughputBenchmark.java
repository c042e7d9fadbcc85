package io.rewoo4j.runtime.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Encoding/decoding throughput on a long text (not a test; run by hand, see docs/runtime-tokenizer.md):
 * {@code java -cp <test classpath> io.rewoo4j.runtime.tokenizer.TokenizerThroughputBenchmark [TEXT_FILE]}.
 * Without a file the text is every corpus entry, repeated to about 1 MB.
 */
public final class TokenizerThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        String text;
        if (args.length > 0) {
            text = Files.readString(Path.of(args[0]));
        } else {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < 1_000_000) {
                for (TokenizerFixtures.Entry entry : TokenizerFixtures.corpus()) {
                    sb.append(entry.text()).append('\n');
                }
            }
            text = sb.toString();
        }
        Tokenizer tokenizer = TokenizerFixtures.sentencePiece();
        int[] ids = tokenizer.encode(text, false);
        for (int warmup = 0; warmup < 5; warmup++) {
            ids = tokenizer.encode(text, false);
            tokenizer.decode(ids);
        }
        int rounds = 10;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            ids = tokenizer.encode(text, false);
        }
        double encodeSeconds = (System.nanoTime() - start) / 1e9 / rounds;
        start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            tokenizer.decode(ids);
        }
        double decodeSeconds = (System.nanoTime() - start) / 1e9 / rounds;
        System.out.printf("text: %,d chars -> %,d tokens%n", text.length(), ids.length);
        System.out.printf("encode: %.1f ms, %,.0f tokens/s, %.1f MB/s%n", encodeSeconds * 1e3,
                ids.length / encodeSeconds, text.length() / encodeSeconds / 1e6);
        System.out.printf("decode: %.1f ms, %,.0f tokens/s%n", decodeSeconds * 1e3, ids.length / decodeSeconds);
    }
}
