package io.rewoo4j.tools.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewoo4j.tools.http.AddressPolicy;
import io.rewoo4j.tools.http.BlockedAddressException;
import io.rewoo4j.tools.http.FetchStatusException;
import io.rewoo4j.tools.http.HostResolver;
import io.rewoo4j.tools.http.HttpFetchOptions;
import io.rewoo4j.tools.http.LoopbackHttpServer;
import io.rewoo4j.tools.http.LoopbackHttpServer.Recorded;
import io.rewoo4j.tools.http.LoopbackHttpServer.Reply;
import io.rewoo4j.tools.http.SafeHttpFetcher;
import io.rewoo4j.tools.http.UnsupportedContentTypeException;
import io.rewoo4j.tools.scrape.extract.MainContentExtractor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class TextScraperTest {

    private static final Duration VERIFY = Duration.ofSeconds(15);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    private LoopbackHttpServer server(Function<Recorded, Reply> handler) {
        LoopbackHttpServer server = LoopbackHttpServer.start(handler);
        resources.add(server);
        return server;
    }

    private LoopbackHttpServer asyncServer(Function<Recorded, Mono<Reply>> handler) {
        LoopbackHttpServer server = LoopbackHttpServer.startAsync(handler);
        resources.add(server);
        return server;
    }

    /** A scraper whose fetcher admits only {@code server}. */
    private TextScraper scraper(LoopbackHttpServer server, TextScraperOptions options) {
        SafeHttpFetcher fetcher = new SafeHttpFetcher(HttpFetchOptions.defaults(),
                AddressPolicy.publicOnly().permitting(server.address()), HostResolver.SYSTEM);
        resources.add(fetcher);
        return new TextScraper(fetcher, new MainContentExtractor(), options);
    }

    private TextScraper scraper(LoopbackHttpServer server) {
        return scraper(server, TextScraperOptions.defaults());
    }

    private static String article(String title, String paragraph) {
        return "<html><head><title>" + title + "</title></head><body>"
                + "<nav><a href=\"/\">Home</a> | <a href=\"/about\">About</a></nav>"
                + "<article><h1>" + title + "</h1><p>" + paragraph + "</p><p>" + paragraph + " Again.</p></article>"
                + "<footer>Copyright footer text</footer></body></html>";
    }

    private static long requestsFor(LoopbackHttpServer server, String path) {
        return server.requests().stream().filter(r -> r.path().equals(path)).count();
    }

    @Test
    void passesPlainTextThroughUnderALineNamingTheUrl() {
        LoopbackHttpServer server = server(r -> Reply.text(200, "text/plain; charset=utf-8",
                "First line.\r\nSecond line.\n"));
        String url = server.url("/notes.txt");

        StepVerifier.create(scraper(server).scrape(url))
                .assertNext(report -> {
                    assertThat(report.toText()).isEqualTo("Source: " + url + "\nFirst line.\nSecond line.");
                    assertThat(report.pages()).singleElement().satisfies(page -> {
                        assertThat(page.title()).isEmpty();
                        assertThat(page.finalUrl()).isEqualTo(url);
                    });
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void extractsTheMainTextOfHtmlPagesInInputOrder() {
        LoopbackHttpServer server = server(r -> switch (r.path()) {
            case "/alpha" -> Reply.html(article("Alpha heading", "The alpha page explains the first topic in"
                    + " enough words to count as an article body for any reasonable extractor."));
            case "/beta" -> Reply.html(article("Beta heading", "The beta page explains the second topic in"
                    + " enough words to count as an article body for any reasonable extractor."));
            default -> Reply.status(404);
        });
        String alpha = server.url("/alpha");
        String beta = server.url("/beta");

        StepVerifier.create(scraper(server).scrape(beta + "\n" + alpha + "\n"))
                .assertNext(report -> {
                    assertThat(report.links()).extracting(LinkResult::url).containsExactly(beta, alpha);
                    String text = report.toText();
                    assertThat(text).startsWith("Source: " + beta + "\n");
                    assertThat(text).contains("\n\nSource: " + alpha + "\n");
                    assertThat(text.indexOf("The beta page")).isLessThan(text.indexOf("Source: " + alpha));
                    assertThat(text.indexOf("The alpha page")).isGreaterThan(text.indexOf("Source: " + alpha));
                    assertThat(report.pages().get(0).title()).isEqualTo("Beta heading");
                    assertThat(text).doesNotContain("<p>", "<article>");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void keepsInputOrderWhenAnEarlierPageIsSlowerAndFetchesConcurrently() {
        Sinks.Empty<Void> bothFastPagesRequested = Sinks.empty();
        AtomicInteger fastRequests = new AtomicInteger();
        LoopbackHttpServer server = asyncServer(r -> {
            Mono<Reply> reply = Mono.just(Reply.text(200, "text/plain", "page " + r.path()));
            if (r.path().equals("/slow")) {
                // Answered only once the later links have been asked for: a scraper fetching one link after
                // another would wait here until its read timeout.
                return reply.delayUntil(x -> bothFastPagesRequested.asMono());
            }
            if (fastRequests.incrementAndGet() == 2) {
                bothFastPagesRequested.tryEmitEmpty();
            }
            return reply;
        });
        SafeHttpFetcher fetcher = new SafeHttpFetcher(HttpFetchOptions.defaults().withReadTimeout(Duration.ofSeconds(5)),
                AddressPolicy.publicOnly().permitting(server.address()), HostResolver.SYSTEM);
        resources.add(fetcher);
        TextScraper scraper = new TextScraper(fetcher, new MainContentExtractor(), TextScraperOptions.defaults());

        StepVerifier.create(scraper.scrape(server.url("/slow") + "\n" + server.url("/fast1") + "\n"
                        + server.url("/fast2")))
                .assertNext(report -> {
                    assertThat(report.failures()).isEmpty();
                    assertThat(report.pages()).extracting(ScrapedPage::text)
                            .containsExactly("page /slow", "page /fast1", "page /fast2");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void boundsTheNumberOfConcurrentFetches() {
        LoopbackHttpServer server = asyncServer(r -> Mono.just(Reply.text(200, "text/plain", r.path()))
                .delayElement(Duration.ofMillis(100)));
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            input.append(server.url("/page" + i)).append('\n');
        }

        StepVerifier.create(scraper(server, TextScraperOptions.defaults().withConcurrency(2)).scrape(input.toString()))
                .assertNext(report -> assertThat(report.pages()).hasSize(6))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.maxInFlight()).isBetween(1, 2);
    }

    @Test
    void reportsAFailedLinkInItsBlockWithoutFailingTheOthers() {
        LoopbackHttpServer server = server(r -> switch (r.path()) {
            case "/ok" -> Reply.text(200, "text/plain", "fine");
            case "/pdf" -> Reply.of(200, "application/pdf", new byte[] {'%', 'P', 'D', 'F'});
            default -> Reply.status(404);
        });
        String missing = server.url("/missing");
        String pdf = server.url("/pdf");
        String ok = server.url("/ok");

        StepVerifier.create(scraper(server).scrape(missing + "\n" + pdf + "\n" + ok))
                .assertNext(report -> {
                    assertThat(report.toText()).isEqualTo(
                            "Source: " + missing + "\nError: HTTP 404 from " + missing + "\n\n"
                                    + "Source: " + pdf + "\nError: Unsupported content type 'application/pdf' at "
                                    + pdf + " (only HTML, XHTML and plain text are read)\n\n"
                                    + "Source: " + ok + "\nfine");
                    assertThat(report.failures()).extracting(FailedLink::error)
                            .hasExactlyElementsOfTypes(FetchStatusException.class,
                                    UnsupportedContentTypeException.class);
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void aBlockedAddressFailsOnlyItsOwnLink() {
        LoopbackHttpServer server = server(r -> Reply.text(200, "text/plain", "public enough"));

        StepVerifier.create(scraper(server).scrape("http://169.254.169.254/latest/meta-data/\n" + server.url("/")))
                .assertNext(report -> {
                    assertThat(report.failures()).singleElement()
                            .satisfies(f -> assertThat(f.error()).isInstanceOf(BlockedAddressException.class));
                    assertThat(report.toText()).startsWith("Source: http://169.254.169.254/latest/meta-data/\n"
                            + "Error: Blocked request to 169.254.169.254");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void failsWhenEveryLinkFails() {
        LoopbackHttpServer server = server(r -> Reply.status(500));

        StepVerifier.create(scraper(server).scrape(server.url("/a") + "\n" + server.url("/b")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(AllLinksFailedException.class);
                    assertThat(((AllLinksFailedException) e).failures()).extracting(FailedLink::url)
                            .containsExactly(server.url("/a"), server.url("/b"));
                    assertThat(e.getCause()).isInstanceOf(FetchStatusException.class);
                })
                .verify(VERIFY);
    }

    @Test
    void failsWhenTheInputHoldsNoLink() {
        LoopbackHttpServer server = server(r -> Reply.status(500));

        StepVerifier.create(scraper(server).scrape("no links here, only ftp://files.example.com/x"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NoLinksException.class)
                        .hasMessageContaining("no links here"))
                .verify(VERIFY);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void toleratesSpacesCommasAndListMarkup() {
        LoopbackHttpServer server = server(r -> Reply.text(200, "text/plain", r.path()));
        String input = server.url("/1") + ", " + server.url("/2") + " " + server.url("/3") + "," + server.url("/4")
                + "\n- <" + server.url("/5") + ">\n";

        StepVerifier.create(scraper(server).scrape(input))
                .assertNext(report -> assertThat(report.pages()).extracting(ScrapedPage::text)
                        .containsExactly("/1", "/2", "/3", "/4", "/5"))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void theSameUrlWrittenDifferentlyIsFetchedOnce() {
        LoopbackHttpServer server = server(r -> Reply.text(200, "text/plain", "once"));
        String input = server.url("/page") + "\n" + server.url("/page#section") + "\n"
                + "HTTP://127.0.0.1:" + server.port() + "/page";

        StepVerifier.create(scraper(server).scrape(input))
                .assertNext(report -> assertThat(report.links()).hasSize(1))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aRunCacheFetchesEachPageOnceAcrossScrapes() {
        LoopbackHttpServer server = asyncServer(r -> Mono.just(Reply.text(200, "text/plain", "cached"))
                .delayElement(Duration.ofMillis(100)));
        TextScraper scraper = scraper(server);
        PageCache run = scraper.newRunCache();
        String a = server.url("/a");
        String b = server.url("/b");

        // Two concurrent steps of one run asking for /a share the fetch; a later step reuses it.
        StepVerifier.create(Mono.zip(scraper.scrape(a, run), scraper.scrape(a + "\n" + b, run))
                        .then(scraper.scrape(b + "\n" + a, run)))
                .assertNext(report -> assertThat(report.pages()).extracting(ScrapedPage::url).containsExactly(b, a))
                .expectComplete()
                .verify(VERIFY);
        assertThat(requestsFor(server, "/a")).isEqualTo(1);
        assertThat(requestsFor(server, "/b")).isEqualTo(1);
        assertThat(run.size()).isEqualTo(2);

        // A new run fetches again.
        StepVerifier.create(scraper.scrape(a))
                .expectNextCount(1)
                .expectComplete()
                .verify(VERIFY);
        assertThat(requestsFor(server, "/a")).isEqualTo(2);
    }

    @Test
    void aFailedFetchIsNotCachedForTheRun() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        LoopbackHttpServer server = server(r -> {
            seen.add(r.path());
            return seen.size() == 1 ? Reply.status(503) : Reply.text(200, "text/plain", "recovered");
        });
        TextScraper scraper = scraper(server);
        PageCache run = scraper.newRunCache();

        StepVerifier.create(scraper.scrape(server.url("/flaky"), run))
                .expectError(AllLinksFailedException.class)
                .verify(VERIFY);
        StepVerifier.create(scraper.scrape(server.url("/flaky"), run))
                .assertNext(report -> assertThat(report.pages()).extracting(ScrapedPage::text)
                        .containsExactly("recovered"))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void scrapesAtMostMaxLinks() {
        LoopbackHttpServer server = server(r -> Reply.text(200, "text/plain", r.path()));

        StepVerifier.create(scraper(server, TextScraperOptions.defaults().withMaxLinks(2))
                        .scrape(server.url("/1") + "\n" + server.url("/2") + "\n" + server.url("/3")))
                .assertNext(report -> {
                    assertThat(report.pages()).extracting(ScrapedPage::text).containsExactly("/1", "/2");
                    assertThat(report.omittedLinks()).isEqualTo(1);
                })
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void cutsLongPagesWhenAskedTo() {
        LoopbackHttpServer server = server(r -> Reply.text(200, "text/plain", "0123456789abcdef"));

        StepVerifier.create(scraper(server, TextScraperOptions.defaults().withMaxCharactersPerPage(10))
                        .scrape(server.url("/long")))
                .assertNext(report -> assertThat(report.pages().get(0).text()).isEqualTo("0123456789 […]"))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void robotsTxtIsIgnoredByDefault() {
        LoopbackHttpServer server = server(r -> r.path().equals("/robots.txt")
                ? Reply.text(200, "text/plain", "User-agent: *\nDisallow: /")
                : Reply.text(200, "text/plain", "content"));

        StepVerifier.create(scraper(server).scrape(server.url("/private/page")))
                .assertNext(report -> assertThat(report.pages()).hasSize(1))
                .expectComplete()
                .verify(VERIFY);
        assertThat(requestsFor(server, "/robots.txt")).isZero();
    }

    @Test
    void respectsRobotsTxtWhenEnabledReadingItOncePerSite() {
        LoopbackHttpServer server = server(r -> r.path().equals("/robots.txt")
                ? Reply.text(200, "text/plain", "User-agent: *\nDisallow: /private\n\nUser-agent: rewoo4j\n"
                        + "Disallow: /private\nDisallow: /no-rewoo\n")
                : Reply.text(200, "text/plain", "content of " + r.path()));
        TextScraper scraper = scraper(server, TextScraperOptions.defaults().withRespectRobotsTxt(true));
        String privatePage = server.url("/private/page");
        String noRewoo = server.url("/no-rewoo");
        String publicPage = server.url("/public/page");

        StepVerifier.create(scraper.scrape(privatePage + "\n" + noRewoo + "\n" + publicPage)
                        .then(scraper.scrape(server.url("/public/other"))))
                .assertNext(report -> assertThat(report.pages()).extracting(ScrapedPage::text)
                        .containsExactly("content of /public/other"))
                .expectComplete()
                .verify(VERIFY);
        assertThat(requestsFor(server, "/robots.txt")).isEqualTo(1);
        assertThat(requestsFor(server, "/private/page")).isZero();
        assertThat(requestsFor(server, "/no-rewoo")).isZero();
        assertThat(requestsFor(server, "/public/page")).isEqualTo(1);
    }

    @Test
    void aDisallowedPageIsReportedInItsBlock() {
        LoopbackHttpServer server = server(r -> r.path().equals("/robots.txt")
                ? Reply.text(200, "text/plain", "User-agent: *\nDisallow: /private\n")
                : Reply.text(200, "text/plain", "open"));
        String privatePage = server.url("/private");

        StepVerifier.create(scraper(server, TextScraperOptions.defaults().withRespectRobotsTxt(true))
                        .scrape(privatePage + "\n" + server.url("/open")))
                .assertNext(report -> {
                    assertThat(report.failures()).singleElement().satisfies(f -> {
                        assertThat(f.error()).isInstanceOf(RobotsDisallowedException.class);
                        assertThat(f.message()).contains("disallowed by " + server.url("/robots.txt"));
                    });
                    assertThat(report.toText()).startsWith("Source: " + privatePage + "\nError: Not fetched: ");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void aMissingRobotsTxtAllowsEverything() {
        LoopbackHttpServer server = server(r -> r.path().equals("/robots.txt")
                ? Reply.status(404) : Reply.text(200, "text/plain", "allowed"));

        StepVerifier.create(scraper(server, TextScraperOptions.defaults().withRespectRobotsTxt(true))
                        .scrape(server.url("/anything")))
                .assertNext(report -> assertThat(report.pages()).extracting(ScrapedPage::text)
                        .containsExactly("allowed"))
                .expectComplete()
                .verify(VERIFY);
    }
}
