package io.rewoo4j.tools.links;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HyperlinkExtractorTest {

    private final HyperlinkExtractor extractor = new HyperlinkExtractor();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
            "See https://example.com/a. => https://example.com/a",
            "First https://example.com/a, then more => https://example.com/a",
            "Really? https://example.com/q?x=1! => https://example.com/q?x=1",
            "Ends with https://example.com/x...  => https://example.com/x",
            "(see https://example.com/paren) => https://example.com/paren",
            "[https://example.com/square] => https://example.com/square",
            "\"https://example.com/double\" => https://example.com/double",
            "'https://example.com/single' => https://example.com/single",
            "<https://example.com/angle> => https://example.com/angle",
            "`https://example.com/code` => https://example.com/code",
            "**https://example.com/bold** => https://example.com/bold",
            "_https://example.com/em_ => https://example.com/em",
            "https://example.com/snake_case_ => https://example.com/snake_case_",
            "Rust: https://en.wikipedia.org/wiki/Rust_(programming_language). => https://en.wikipedia.org/wiki/Rust_(programming_language)",
            "(https://en.wikipedia.org/wiki/Rust_(programming_language)) => https://en.wikipedia.org/wiki/Rust_(programming_language)",
            "[Rust](https://www.rust-lang.org/learn) is nice => https://www.rust-lang.org/learn",
            "query https://example.com/s?q=a&b=c#frag; => https://example.com/s?q=a&b=c#frag",
            "URL:https://example.com/glued => https://example.com/glued",
            "www.example.org/path. => http://www.example.org/path",
            "https://例子.测试/路径 => https://例子.测试/路径",
            "http://[2001:db8::1]:8080/x => http://[2001:db8::1]:8080/x"})
    void findsTheLinkWithoutSurroundingPunctuation(String text, String link) {
        assertThat(extractor.extract(text)).containsExactly(link);
    }

    @Test
    void keepsOnlyHttpAndHttpsLinks() {
        String text = "ftp://files.example.com/x mailto:someone@example.com javascript:alert(1) "
                + "file:///etc/passwd data:text/html,hi someone@example.com https://ok.example.com/";

        assertThat(extractor.extract(text)).containsExactly("https://ok.example.com/");
    }

    @Test
    void removesDuplicatesAfterNormalisingKeepingTheFirstSpelling() {
        String text = """
                https://Example.com/a#intro
                https://example.com:443/a
                HTTPS://EXAMPLE.COM/a#other
                http://example.com/a
                https://example.com/A
                https://example.com
                https://example.com/
                """;

        assertThat(extractor.extract(text)).containsExactly(
                "https://Example.com/a#intro",
                "http://example.com/a",
                "https://example.com/A",
                "https://example.com");
    }

    @Test
    void keepsTheOrderOfFirstAppearanceInMarkdown() {
        String markdown = """
                # Sources
                1. [The Book](https://doc.rust-lang.org/book/) — the official book.
                2. See <https://www.rust-lang.org/> and https://crates.io.
                3. The book again: https://doc.rust-lang.org/book/
                > Quoted: "https://blog.rust-lang.org/2024/01/01/post.html", said someone.
                """;

        assertThat(extractor.extractAsText(markdown)).isEqualTo("""
                https://doc.rust-lang.org/book/
                https://www.rust-lang.org/
                https://crates.io
                https://blog.rust-lang.org/2024/01/01/post.html""");
    }

    @Test
    void readsTheDuckDuckGoToolsOwnOutput() {
        String searchOutput = """
                Foo Fighters - Wikipedia
                https://en.wikipedia.org/wiki/Foo_Fighters
                Foo Fighters are a rock band formed in 1994 by former Nirvana drummer Dave Grohl.

                Foo Fighters - Everlong (Official HD Video) - YouTube
                https://www.youtube.com/watch?v=eBG7P-K-r1Y
                "Everlong" by Foo Fighters Listen to Foo Fighters: https://FooFighters.lnk.to/listen_YDWatch more \
                Foo Fighter videos: https://FooFighters.lnk.to/listen_YC/yo...

                Rust (programming language)
                https://en.wikipedia.org/wiki/Rust_(programming_language)
                Rust is a general-purpose programming language.""";

        assertThat(extractor.extract(searchOutput)).containsExactly(
                "https://en.wikipedia.org/wiki/Foo_Fighters",
                "https://www.youtube.com/watch?v=eBG7P-K-r1Y",
                "https://FooFighters.lnk.to/listen_YDWatch",
                "https://FooFighters.lnk.to/listen_YC/yo",
                "https://en.wikipedia.org/wiki/Rust_(programming_language)");
    }

    @Test
    void doesNotStopEarlyTheWayThePseudoCodeRegexDid() {
        // The seed's regex https?://[^\s]+?\.? matched just "https://w" here.
        assertThat(extractor.extract("Visit https://www.example.com/page for details"))
                .containsExactly("https://www.example.com/page");
    }

    @Test
    void textWithoutLinksGivesNothing() {
        assertThat(extractor.extract("No links here, only https:// and www. fragments.")).isEmpty();
        assertThat(extractor.extractAsText("")).isEmpty();
        assertThat(extractor.extract("a.b http:/broken")).isEqualTo(List.of());
    }
}
