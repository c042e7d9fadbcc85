package io.rewoo4j.tools.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpUrlTest {

    @ParameterizedTest
    @CsvSource(delimiterString = " -> ", ignoreLeadingAndTrailingWhitespace = false, value = {
            "HTTP://Example.COM -> http://example.com/",
            "https://example.com/a b -> https://example.com/a%20b",
            "https://en.wikipedia.org/wiki/Rust_(programming_language) -> https://en.wikipedia.org/wiki/Rust_(programming_language)",
            "https://example.com/search?q=a|b&x={1} -> https://example.com/search?q=a%7Cb&x=%7B1%7D",
            "https://example.com/100% -> https://example.com/100%25",
            "https://example.com/wiki/File:[x].png -> https://example.com/wiki/File:%5Bx%5D.png",
            "https://de.wikipedia.org/wiki/Köln -> https://de.wikipedia.org/wiki/K%C3%B6ln",
            "https://bücher.example/straße -> https://xn--bcher-kva.example/stra%C3%9Fe",
            "http://[::1]:8080/x -> http://[::1]:8080/x",
            "http://127.1:8080/ -> http://127.0.0.1:8080/",
            "http://2130706433/ -> http://127.0.0.1/",
            "http://0x7f.0.0.1/ -> http://127.0.0.1/",
            "http://0177.0.0.1/ -> http://127.0.0.1/",
            "http://10.0.0.1/ -> http://10.0.0.1/",
            "  https://example.com/trimmed   -> https://example.com/trimmed"})
    void parsesLeniently(String text, String expected) {
        assertThat(HttpUrl.parse(text).toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "/relative/path", "ftp://example.com/", "mailto:a@example.com",
            "javascript:alert(1)", "http://", "file:///etc/passwd", "https://exa mple.com/", "http://1.2.3.256/",
            "http://1.2.3.4.5/", "http://example.com:99999/", "http://example.com:0/", "http://:80/"})
    void rejectsWhatIsNotAnAbsoluteHttpUrl(String text) {
        assertThatThrownBy(() -> HttpUrl.parse(text)).isInstanceOf(InvalidUrlException.class);
    }

    @Test
    void exposesHostPortAndRequestTarget() {
        HttpUrl url = HttpUrl.parse("https://Example.com/a/b?x=1#frag");

        assertThat(url.host()).isEqualTo("example.com");
        assertThat(url.port()).isEqualTo(443);
        assertThat(url.isHttps()).isTrue();
        assertThat(url.pathAndQuery()).isEqualTo("/a/b?x=1");
        assertThat(url.hostHeader()).isEqualTo("example.com");
        assertThat(url.origin()).isEqualTo("https://example.com");
        assertThat(url.withoutFragment().toString()).isEqualTo("https://example.com/a/b?x=1");

        HttpUrl v6 = HttpUrl.parse("http://[2001:db8::1]:8080/");
        assertThat(v6.host()).isEqualTo("2001:db8::1");
        assertThat(v6.hostHeader()).isEqualTo("[2001:db8::1]:8080");
    }

    @Test
    void normalisesHostCaseDefaultPortAndFragmentForComparison() {
        assertThat(HttpUrl.parse("HTTPS://Example.COM:443/a#top").normalised())
                .isEqualTo(HttpUrl.parse("https://example.com/a").normalised())
                .isEqualTo("https://example.com/a");
        assertThat(HttpUrl.parse("http://example.com:80").normalised()).isEqualTo("http://example.com/");
        assertThat(HttpUrl.parse("http://example.com:8080/").normalised()).isEqualTo("http://example.com:8080/");
        assertThat(HttpUrl.parse("http://example.com/A").normalised())
                .isNotEqualTo(HttpUrl.parse("http://example.com/a").normalised());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/root|https://example.com/root",
            "sibling|https://example.com/dir/sibling",
            "../up|https://example.com/up",
            "?page=2|https://example.com/dir/page?page=2",
            "//other.example/x|https://other.example/x",
            "http://plain.example/|http://plain.example/"})
    void resolvesReferences(String reference, String expected) {
        HttpUrl base = HttpUrl.parse("https://example.com/dir/page?old=1");

        assertThat(base.resolve(reference).toString()).isEqualTo(expected);
    }

    @Test
    void resolvingToAnotherSchemeFails() {
        HttpUrl base = HttpUrl.parse("https://example.com/");

        assertThatThrownBy(() -> base.resolve("ftp://example.com/x"))
                .isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("scheme");
    }
}
