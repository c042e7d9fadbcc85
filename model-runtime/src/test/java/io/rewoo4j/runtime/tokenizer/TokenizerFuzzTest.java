package io.rewoo4j.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random text (no reference encoder at test time): invariants that sentencepiece's BPE guarantees for
 * this model — every text round-trips, every id is a valid non-unknown piece, both loaders agree.
 */
class TokenizerFuzzTest {

    private static final String[] ALPHABETS = {
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        " ", "\t", "\n", "\r",
        ".,;:!?-_()[]{}<>\"'/\\|@#$%^&*+=~`",
        "éèêëàâäôöûüçñßøåæœ",
        "αβγδεζηθικλμνξοπρστυφχψω",
        "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年",
        "😀😂🥲🙂🎉🍕🚀🇫🇷👍🏽👩‍💻❤️",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢𓀀𐍈ꙮ⿰\u200d\u00a0\u3000\ufffd",
    };

    @Test
    void randomTextRoundTripsWithValidIdsThroughBothLoaders() {
        Tokenizer model = TokenizerFixtures.sentencePiece();
        Tokenizer json = TokenizerFixtures.huggingFace();
        Random random = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            String text = randomText(random);
            int[] ids = model.encode(text, true);
            assertThat(ids[0]).isEqualTo(model.bos());
            for (int i = 1; i < ids.length; i++) {
                assertThat(ids[i]).isBetween(3, model.vocabularySize() - 1); // no <unk>, <s>, </s> from text
            }
            assertThat(model.decode(ids)).as("round trip of %s", text).isEqualTo(text);
            assertThat(json.encode(text, true)).isEqualTo(ids);
        }
    }

    @Test
    void anyRandomCodePointsStillRoundTrip() {
        Tokenizer model = TokenizerFixtures.sentencePiece();
        Random random = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(40); n > 0; n--) {
                int cp = random.nextInt(0x110000);
                if ((cp >= 0xD800 && cp < 0xE000) || cp == 0x2581) {
                    continue; // lone surrogates have no UTF-8; a literal ▁ decodes to a space
                }
                text.appendCodePoint(cp);
            }
            assertThat(model.decode(model.encode(text.toString(), false))).isEqualTo(text.toString());
        }
    }

    @Test
    void loneSurrogatesEncodeAsTheReplacementCharacter() {
        Tokenizer model = TokenizerFixtures.sentencePiece();
        assertThat(model.encode("a\uD800b", false)).isEqualTo(model.encode("a\uFFFDb", false));
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        for (int parts = 1 + random.nextInt(12); parts > 0; parts--) {
            String alphabet = ALPHABETS[random.nextInt(ALPHABETS.length)];
            int[] codePoints = alphabet.codePoints().toArray();
            for (int n = 1 + random.nextInt(8); n > 0; n--) {
                text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
        }
        return text.toString();
    }
}
