package io.rewoo4j.tools.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewoo4j.tools.http.AddressPolicy;
import io.rewoo4j.tools.http.HostResolver;
import io.rewoo4j.tools.http.HttpFetchOptions;
import io.rewoo4j.tools.http.LoopbackHttpServer;
import io.rewoo4j.tools.http.LoopbackHttpServer.Recorded;
import io.rewoo4j.tools.http.LoopbackHttpServer.Reply;
import io.rewoo4j.tools.http.SafeHttpFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/**
 * DuckDuckGo search against saved (and a few synthetic) result pages served by a real HTTP server on loopback.
 */
class DuckDuckGoSearchTest {

    private static final Duration VERIFY = Duration.ofSeconds(15);
    private static final String FOO = "ddg-html_foo_uddg-wrapped.html";
    private static final String EINO = "ddg-html_eino_page1_direct-links_nextform.html";
    private static final String NO_RESULTS = "ddg-html_no-results.html";
    private static final String NO_MORE_RESULTS = "ddg-html_no-more-results.html";
    private static final String CHALLENGE = "synthetic_challenge.html";
    private static final String INSTANT_ANSWER_AND_ADS = "synthetic_instant-answer-and-ads.html";
    private static final String LITE = "synthetic_lite.html";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    static String page(String name) {
        try (InputStream in = DuckDuckGoSearchTest.class.getResourceAsStream("/duckduckgo/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test page " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LoopbackHttpServer server(Function<Recorded, Reply> handler) {
        LoopbackHttpServer server = LoopbackHttpServer.start(handler);
        resources.add(server);
        return server;
    }

    /** Options pointing at the server's {@code /html/}, with millisecond backoffs so retries stay quick. */
    private static DuckDuckGoOptions options(LoopbackHttpServer server) {
        return DuckDuckGoOptions.defaults()
                .withBaseUrl(URI.create(server.url("/html/")))
                .withRetries(2, Duration.ofMillis(1), Duration.ofMillis(5));
    }

    private DuckDuckGoSearch search(LoopbackHttpServer server, DuckDuckGoOptions options) {
        // Only this server's address and port is admitted; everything else stays blocked.
        SafeHttpFetcher fetcher = new SafeHttpFetcher(HttpFetchOptions.defaults(),
                AddressPolicy.publicOnly().permitting(server.address()), HostResolver.SYSTEM);
        resources.add(fetcher);
        return new DuckDuckGoSearch(fetcher, options);
    }

    private DuckDuckGoSearch search(LoopbackHttpServer server) {
        return search(server, options(server));
    }

    /** Serves {@code first} for the initial query and {@code next} for a next-page request (one with {@code s}). */
    private static Function<Recorded, Reply> pages(String first, String next) {
        return r -> Reply.html(page(r.formMap().containsKey("s") ? next : first));
    }

    // ---- reading result pages ----

    @Test
    void decodesUddgRedirectLinksAndReadsExactTitlesAndSnippets() {
        LoopbackHttpServer server = server(r -> Reply.html(page(FOO)));

        StepVerifier.create(search(server).search("foo"))
                .assertNext(found -> {
                    assertThat(found.query()).isEqualTo("foo");
                    assertThat(found.instantAnswer()).isEmpty();
                    assertThat(found.results()).hasSize(10);
                    assertThat(found.results().get(0)).isEqualTo(new SearchResult("Foo Fighters - Wikipedia",
                            "https://en.wikipedia.org/wiki/Foo_Fighters",
                            "Foo Fighters are a rock band formed in 1994 by former Nirvana drummer Dave Grohl. They"
                                    + " have won 15 Grammy Awards and were inducted into the Rock and Roll Hall of"
                                    + " Fame in 2021."));
                    assertThat(found.results().get(1)).isEqualTo(new SearchResult(
                            "foo | Meaning & Origin - Dictionary.com",
                            "https://www.dictionary.com/e/tech-science/foo/",
                            "Foo is a term used in computer programming to indicate a generic or unspecified value"
                                    + " or object. It has no connection to the WWII graffiti \"Foo was here\" or the"
                                    + " FUBAR acronym."));
                    assertThat(found.results().get(4).url()).isEqualTo("https://www.youtube.com/watch?v=eBG7P-K-r1Y");
                    assertThat(found.results().get(7).snippet()).isEqualTo("Enjoy 16 videos of Foo Fighters' best"
                            + " songs from their album \"Greatest Hits\". Watch official HD videos of hits like All My"
                            + " Life, Best Of You, Everlong and more.");
                    assertThat(found.results().get(9).title()).isEqualTo("Foo Tokyo｜Official Website（フートウキョウ公式）");
                    assertThat(found.results().get(9).url()).isEqualTo("https://footokyo.jp/");
                    assertThat(found.results()).extracting(SearchResult::url)
                            .noneMatch(url -> url.contains("duckduckgo.com"));
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void postsTheSearchFormWithRefererLikeABrowser() {
        LoopbackHttpServer server = server(r -> Reply.html(page(FOO)));

        StepVerifier.create(search(server).search("  foo fighters  "))
                .expectNextCount(1)
                .expectComplete()
                .verify(VERIFY);

        Recorded request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/html/");
        assertThat(request.form()).containsExactly(Map.entry("q", "foo fighters"), Map.entry("kl", "wt-wt"));
        assertThat(request.header("Referer")).isEqualTo(server.url("/"));
        assertThat(request.header("Origin")).isEqualTo(server.url(""));
        assertThat(request.header("User-Agent")).isEqualTo(HttpFetchOptions.BROWSER_USER_AGENT);
    }

    @Test
    void sendsRegionAndTimeFilter() {
        LoopbackHttpServer server = server(r -> Reply.html(page(EINO)));
        DuckDuckGoOptions options = options(server).withRegion("de-de").withTimeFilter(TimeFilter.WEEK);

        StepVerifier.create(search(server, options).search("eino"))
                .expectNextCount(1)
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests().get(0).form())
                .containsExactly(Map.entry("q", "eino"), Map.entry("kl", "de-de"), Map.entry("df", "w"));
    }

    @Test
    void readsDirectLinks() {
        LoopbackHttpServer server = server(r -> Reply.html(page(EINO)));

        StepVerifier.create(search(server).search("eino"))
                .assertNext(found -> {
                    assertThat(found.results()).hasSize(10);
                    assertThat(found.results().get(0)).isEqualTo(new SearchResult(
                            "GitHub - cloudwego/eino: The ultimate LLM/AI application development ...",
                            "https://github.com/cloudwego/eino",
                            "Eino is a framework for building LLM applications in Golang, inspired by LangChain and"
                                    + " LlamaIndex. It provides component abstractions, orchestration APIs, best"
                                    + " practices, tools and examples for LLM development."));
                    assertThat(found.results().get(9)).isEqualTo(new SearchResult("Eino - Wikipedia",
                            "https://en.wikipedia.org/wiki/Eino",
                            "Eino is a Finnish and Estonian masculine given name derived from Henri or Enewald. It is"
                                    + " also the name of many notable people in various fields, such as sports,"
                                    + " politics, arts and science."));
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void rendersOneBlockPerResultSeparatedByBlankLines() {
        LoopbackHttpServer server = server(r -> Reply.html(page(EINO)));

        StepVerifier.create(search(server).search("eino", 2))
                .assertNext(found -> assertThat(found.toText()).isEqualTo("""
                        GitHub - cloudwego/eino: The ultimate LLM/AI application development ...
                        https://github.com/cloudwego/eino
                        Eino is a framework for building LLM applications in Golang, inspired by LangChain and \
                        LlamaIndex. It provides component abstractions, orchestration APIs, best practices, tools \
                        and examples for LLM development.

                        Eino: 概述 | CloudWeGo
                        https://www.cloudwego.io/zh/docs/eino/overview/
                        Eino: 概述 简介. Eino['aino] (近似音: i know，希望框架能达到 "i know" 的愿景) 旨在提供基于 Golang 语言的终极大模型应用\
                        开发框架。 它从开源社区中的诸多优秀 LLM 应用开发框架，如 LangChain 和 LlamaIndex 等获取灵感，同时借鉴前沿研究成果与实际应用，提供了一个\
                        强调简洁性、可扩展性、可靠性与 ..."""))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void theInstantAnswerComesFirstAndAdsAreDropped() {
        LoopbackHttpServer server = server(r -> Reply.html(page(INSTANT_ANSWER_AND_ADS)));

        StepVerifier.create(search(server).search("rust programming language"))
                .assertNext(found -> {
                    assertThat(found.instantAnswer()).contains(new SearchResult("Rust (programming language)",
                            "https://en.wikipedia.org/wiki/Rust_(programming_language)",
                            "Rust is a general-purpose programming language emphasizing performance, type safety"
                                    + " and concurrency."));
                    assertThat(found.results()).containsExactly(
                            new SearchResult("Rust Programming Language", "https://www.rust-lang.org/",
                                    "A language empowering everyone to build reliable and efficient software."),
                            new SearchResult("Rust (programming language) - Wikipedia",
                                    "https://en.wikipedia.org/wiki/Rust_(programming_language)#History",
                                    "Rust is a multi-paradigm, general-purpose programming language."),
                            new SearchResult("The Rust Programming Language - The Rust Book",
                                    "https://doc.rust-lang.org/book/", ""));
                    assertThat(found.toText()).startsWith("""
                            Rust (programming language)
                            https://en.wikipedia.org/wiki/Rust_(programming_language)
                            Rust is a general-purpose programming language emphasizing performance, type safety \
                            and concurrency.

                            Rust Programming Language
                            https://www.rust-lang.org/
                            """).endsWith("""

                            The Rust Programming Language - The Rust Book
                            https://doc.rust-lang.org/book/""")
                            .doesNotContain("Learn Rust Fast", "Hidden Ad", "Sponsored", "y.js", "aclick");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    // ---- no results ----

    @ParameterizedTest
    @ValueSource(strings = {NO_RESULTS, NO_MORE_RESULTS})
    void noResultsIsAnEmptySuccessfulResult(String name) {
        LoopbackHttpServer server = server(r -> Reply.html(page(name)));

        StepVerifier.create(search(server).search("testtesttesttesttesttesttesttesttesttesttest"))
                .assertNext(found -> {
                    assertThat(found.isEmpty()).isTrue();
                    assertThat(found.results()).isEmpty();
                    assertThat(found.toText()).isEmpty();
                })
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void anUnrecognisedPageIsAFormatErrorNotNoResults() {
        LoopbackHttpServer server = server(r -> Reply.html("<html><body><p>Service moved.</p></body></html>"));

        StepVerifier.create(search(server).search("foo"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DuckDuckGoPageFormatException.class)
                        .hasMessageContaining(server.url("/html/")))
                .verify(VERIFY);
        assertThat(server.requests()).as("not retried").hasSize(1);
    }

    // ---- paging ----

    @Test
    void fetchesTheNextPageByPostingThePagesOwnForm() {
        LoopbackHttpServer server = server(pages(EINO, FOO));

        StepVerifier.create(search(server).search("eino", 15))
                .assertNext(found -> {
                    assertThat(found.results()).hasSize(15);
                    assertThat(found.results().get(9).url()).isEqualTo("https://en.wikipedia.org/wiki/Eino");
                    assertThat(found.results().get(10).url()).isEqualTo("https://en.wikipedia.org/wiki/Foo_Fighters");
                    assertThat(found.results().get(14).url()).isEqualTo("https://www.youtube.com/watch?v=eBG7P-K-r1Y");
                })
                .expectComplete()
                .verify(VERIFY);

        assertThat(server.requests()).hasSize(2);
        Recorded next = server.requests().get(1);
        assertThat(next.method()).isEqualTo("POST");
        assertThat(next.path()).isEqualTo("/html/");
        assertThat(next.form()).containsExactly(
                Map.entry("q", "eino"),
                Map.entry("s", "10"),
                Map.entry("nextParams", ""),
                Map.entry("v", "l"),
                Map.entry("o", "json"),
                Map.entry("dc", "11"),
                Map.entry("api", "d.js"),
                Map.entry("vqd", "4-167208798460794982980732831674372650598"),
                Map.entry("kl", "wt-wt"));
        assertThat(next.header("Referer")).isEqualTo(server.url("/"));
    }

    @Test
    void pagingStopsAtTheNoMoreResultsPage() {
        LoopbackHttpServer server = server(pages(EINO, NO_MORE_RESULTS));

        StepVerifier.create(search(server).search("eino", 30))
                .assertNext(found -> assertThat(found.results()).hasSize(10))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void pagingStopsAtTheLimitOfPages() {
        LoopbackHttpServer server = server(pages(EINO, FOO));

        StepVerifier.create(search(server, options(server).withMaxPages(1)).search("eino", 30))
                .assertNext(found -> assertThat(found.results()).hasSize(10))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void enoughResultsOnTheFirstPageMeansNoSecondRequest() {
        LoopbackHttpServer server = server(pages(EINO, FOO));

        StepVerifier.create(search(server).search("eino", 10))
                .assertNext(found -> assertThat(found.results()).hasSize(10))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aFailingLaterPageKeepsTheResultsGatheredSoFar() {
        LoopbackHttpServer server = server(r -> r.formMap().containsKey("s")
                ? Reply.status(500) : Reply.html(page(EINO)));

        StepVerifier.create(search(server).search("eino", 20))
                .assertNext(found -> assertThat(found.results()).hasSize(10))
                .expectComplete()
                .verify(VERIFY);
    }

    // ---- rate limits and challenges ----

    @Test
    void aRateLimitIsRetriedAndThenSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        LoopbackHttpServer flaky = server(r -> calls.incrementAndGet() == 1
                ? Reply.status(202) : Reply.html(page(EINO)));

        StepVerifier.create(search(flaky).search("eino"))
                .assertNext(found -> assertThat(found.results()).hasSize(10))
                .expectComplete()
                .verify(VERIFY);
        assertThat(flaky.requests()).hasSize(2);
        assertThat(flaky.requests().get(1).form()).isEqualTo(flaky.requests().get(0).form());
    }

    @ParameterizedTest
    @ValueSource(ints = {202, 403, 429})
    void aPersistentRateLimitIsATypedErrorAfterTheRetries(int status) {
        LoopbackHttpServer server = server(r -> Reply.status(status));

        StepVerifier.create(search(server).search("foo"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(DuckDuckGoRateLimitedException.class);
                    DuckDuckGoRateLimitedException limited = (DuckDuckGoRateLimitedException) e;
                    assertThat(limited.signal()).isEqualTo(DuckDuckGoRateLimitedException.Signal.STATUS);
                    assertThat(limited.statusCode()).isEqualTo(status);
                    assertThat(limited.isRetryable()).isTrue();
                })
                .verify(VERIFY);
        assertThat(server.requests()).as("the first try and two retries").hasSize(3);
    }

    @Test
    void aChallengePageIsATypedRetryableErrorNeverNoResults() {
        LoopbackHttpServer server = server(r -> Reply.html(page(CHALLENGE)));

        StepVerifier.create(search(server).search("foo"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(DuckDuckGoRateLimitedException.class);
                    assertThat(((DuckDuckGoRateLimitedException) e).signal())
                            .isEqualTo(DuckDuckGoRateLimitedException.Signal.CHALLENGE_PAGE);
                    assertThat(e).hasMessageContaining("challenge");
                })
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aChallengeOnTheFirstTryIsRetriedIntoResults() {
        AtomicInteger calls = new AtomicInteger();
        LoopbackHttpServer server = server(r -> Reply.html(page(calls.incrementAndGet() == 1 ? CHALLENGE : FOO)));

        StepVerifier.create(search(server).search("foo"))
                .assertNext(found -> assertThat(found.results()).hasSize(10))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void fallsBackToTheLiteEndpointWhenTheHtmlEndpointStaysLimited() {
        LoopbackHttpServer server = server(r -> r.path().startsWith("/lite/")
                ? Reply.html(page(LITE)) : Reply.status(429));
        DuckDuckGoOptions options = options(server).withLiteUrl(URI.create(server.url("/lite/")));

        StepVerifier.create(search(server, options).search("foo"))
                .assertNext(found -> assertThat(found.results()).containsExactly(
                        new SearchResult("Foobar - Wikipedia", "https://en.wikipedia.org/wiki/Foobar",
                                "The terms foobar, foo, bar and baz are placeholder names in computer programming."),
                        new SearchResult("RFC 3092: Etymology of \"Foo\"", "https://www.ietf.org/rfc/rfc3092.txt",
                                "Approximately 212 RFCs so far use the terms \"foo\" and \"bar\".")))
                .expectComplete()
                .verify(VERIFY);

        assertThat(server.requests()).extracting(Recorded::path)
                .containsExactly("/html/", "/html/", "/html/", "/lite/");
        assertThat(server.requests().get(3).form()).containsExactly(Map.entry("q", "foo"), Map.entry("kl", "wt-wt"));
    }

    @Test
    void whenTheLiteEndpointFailsTooTheRateLimitIsReported() {
        LoopbackHttpServer server = server(r -> Reply.status(202));
        DuckDuckGoOptions options = options(server).withLiteUrl(URI.create(server.url("/lite/")));

        StepVerifier.create(search(server, options).search("foo"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(DuckDuckGoRateLimitedException.class);
                    assertThat(e.getSuppressed()).hasSize(1);
                    assertThat(e.getSuppressed()[0]).isInstanceOf(DuckDuckGoRateLimitedException.class);
                })
                .verify(VERIFY);
        assertThat(server.requests()).extracting(Recorded::path).endsWith("/lite/");
    }

    @Test
    void rejectsABlankQuery() {
        LoopbackHttpServer server = server(r -> Reply.html(page(FOO)));

        StepVerifier.create(search(server).search("   "))
                .expectError(IllegalArgumentException.class)
                .verify(VERIFY);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void defaultsUseThePublicEndpointsAndALocalBaseUrlDropsTheLiteFallback() {
        DuckDuckGoOptions defaults = DuckDuckGoOptions.defaults();

        assertThat(defaults.baseUrl()).isEqualTo(URI.create("https://html.duckduckgo.com/html/"));
        assertThat(defaults.liteUrl()).isEqualTo(URI.create("https://lite.duckduckgo.com/lite/"));
        assertThat(defaults.region()).isEqualTo("wt-wt");
        assertThat(defaults.withBaseUrl(URI.create("http://127.0.0.1:1/html/")).liteUrl()).isNull();
        assertThat(Optional.ofNullable(defaults.withBaseUrl(DuckDuckGoOptions.DEFAULT_BASE_URL).liteUrl()))
                .contains(DuckDuckGoOptions.DEFAULT_LITE_URL);
    }
}
