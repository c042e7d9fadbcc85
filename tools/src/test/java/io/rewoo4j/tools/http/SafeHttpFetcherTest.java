package io.rewoo4j.tools.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewoo4j.tools.http.LoopbackHttpServer.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class SafeHttpFetcherTest {

    private static final Duration VERIFY = Duration.ofSeconds(15);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    private LoopbackHttpServer server(java.util.function.Function<LoopbackHttpServer.Recorded, Reply> handler) {
        LoopbackHttpServer server = LoopbackHttpServer.start(handler);
        resources.add(server);
        return server;
    }

    private SafeHttpFetcher fetcher(HttpFetchOptions options) {
        SafeHttpFetcher fetcher = new SafeHttpFetcher(options);
        resources.add(fetcher);
        return fetcher;
    }

    private SafeHttpFetcher fetcher(HttpFetchOptions options, AddressPolicy policy, HostResolver resolver) {
        SafeHttpFetcher fetcher = new SafeHttpFetcher(options, policy, resolver);
        resources.add(fetcher);
        return fetcher;
    }

    /** A fetcher that may reach loopback servers (what {@code allow-private-addresses=true} gives). */
    private SafeHttpFetcher localFetcher() {
        return fetcher(HttpFetchOptions.defaults().withAllowPrivateAddresses(true));
    }

    // ---- plain fetching ----

    @Test
    void getsHtmlSendingBrowserLikeHeadersAndTheHostName() {
        LoopbackHttpServer server = server(r -> Reply.html("<html><body><p>Hello</p></body></html>"));

        StepVerifier.create(localFetcher().get(server.url("/page?x=1")))
                .assertNext(page -> {
                    assertThat(page.text()).isEqualTo("<html><body><p>Hello</p></body></html>");
                    assertThat(page.mediaType()).isEqualTo("text/html");
                    assertThat(page.charset()).isEqualTo(StandardCharsets.UTF_8);
                    assertThat(page.isHtml()).isTrue();
                    assertThat(page.statusCode()).isEqualTo(200);
                    assertThat(page.url().toString()).isEqualTo(server.url("/page?x=1"));
                })
                .expectComplete()
                .verify(VERIFY);

        LoopbackHttpServer.Recorded request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/page?x=1");
        assertThat(request.header("User-Agent")).isEqualTo(HttpFetchOptions.BROWSER_USER_AGENT)
                .startsWith("Mozilla/5.0");
        assertThat(request.header("Host")).isEqualTo("127.0.0.1:" + server.port());
        assertThat(request.header("Accept")).startsWith("text/html");
    }

    @Test
    void postsAnUrlEncodedFormInOrderWithExtraHeaders() {
        LoopbackHttpServer server = server(r -> Reply.html("<p>ok</p>"));
        FetchRequest request = FetchRequest.postForm(server.httpUrl("/html/"), List.of(
                        new FormField("q", "rust (programming language)"),
                        new FormField("kl", "wt-wt"),
                        new FormField("odd", "a&b=c+d")))
                .withHeader("Referer", "https://html.duckduckgo.com/");

        StepVerifier.create(localFetcher().fetch(request))
                .assertNext(page -> assertThat(page.text()).isEqualTo("<p>ok</p>"))
                .expectComplete()
                .verify(VERIFY);

        LoopbackHttpServer.Recorded seen = server.requests().get(0);
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.body()).isEqualTo("q=rust+%28programming+language%29&kl=wt-wt&odd=a%26b%3Dc%2Bd");
        assertThat(seen.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(seen.header("Referer")).isEqualTo("https://html.duckduckgo.com/");
    }

    @Test
    void acceptsPlainText() {
        LoopbackHttpServer server = server(r -> Reply.text(200, "text/plain", "line one\nline two"));

        StepVerifier.create(localFetcher().get(server.url("/notes.txt")))
                .assertNext(page -> {
                    assertThat(page.mediaType()).isEqualTo("text/plain");
                    assertThat(page.isHtml()).isFalse();
                    assertThat(page.text()).isEqualTo("line one\nline two");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @ParameterizedTest
    @CsvSource({
            "application/pdf, application/pdf",
            "application/json; charset=utf-8, application/json",
            "image/png, image/png"})
    void rejectsOtherContentTypesWithATypedError(String header, String mediaType) {
        LoopbackHttpServer server = server(r -> Reply.of(200, header, new byte[] {1, 2, 3}));

        StepVerifier.create(localFetcher().get(server.url("/file")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(UnsupportedContentTypeException.class);
                    assertThat(((UnsupportedContentTypeException) e).contentType()).isEqualTo(mediaType);
                    assertThat(e.getMessage()).contains(mediaType).contains("/file");
                })
                .verify(VERIFY);
    }

    @Test
    void sniffsABodyServedWithoutContentType() {
        LoopbackHttpServer server = server(r -> r.path().equals("/html")
                ? Reply.of(200, null, "  <!doctype html><p>x</p>".getBytes(StandardCharsets.UTF_8))
                : Reply.of(200, null, new byte[] {'%', 'P', 'D', 'F', 0, 0, 1}));
        SafeHttpFetcher fetcher = localFetcher();

        StepVerifier.create(fetcher.get(server.url("/html")))
                .assertNext(page -> assertThat(page.mediaType()).isEqualTo("text/html"))
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(fetcher.get(server.url("/binary")))
                .expectError(UnsupportedContentTypeException.class)
                .verify(VERIFY);
    }

    // ---- charsets ----

    @Test
    void decodesWithTheCharsetFromTheContentTypeHeader() {
        byte[] latin1 = "<p>café – naïve</p>".replace("–", "-").getBytes(StandardCharsets.ISO_8859_1);
        LoopbackHttpServer server = server(r -> Reply.of(200, "text/html; charset=ISO-8859-1", latin1));

        StepVerifier.create(localFetcher().get(server.url("/")))
                .assertNext(page -> {
                    assertThat(page.text()).isEqualTo("<p>café - naïve</p>");
                    // Browsers read the ISO-8859-1 label as its superset windows-1252.
                    assertThat(page.charset()).isEqualTo(Charset.forName("windows-1252"));
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void decodesWithTheCharsetFromAMetaCharsetDeclaration() {
        Charset cp1251 = Charset.forName("windows-1251");
        byte[] body = "<html><head><meta charset=\"windows-1251\"></head><body>Привет, мир</body></html>"
                .getBytes(cp1251);
        LoopbackHttpServer server = server(r -> Reply.of(200, "text/html", body));

        StepVerifier.create(localFetcher().get(server.url("/")))
                .assertNext(page -> {
                    assertThat(page.charset()).isEqualTo(cp1251);
                    assertThat(page.text()).contains("Привет, мир");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void decodesWithTheCharsetFromAnHttpEquivDeclaration() {
        Charset koi8 = Charset.forName("KOI8-R");
        byte[] body = ("<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=koi8-r\">"
                + "</head><body>Добрый день</body></html>").getBytes(koi8);
        LoopbackHttpServer server = server(r -> Reply.of(200, "text/html", body));

        StepVerifier.create(localFetcher().get(server.url("/")))
                .assertNext(page -> {
                    assertThat(page.charset()).isEqualTo(koi8);
                    assertThat(page.text()).contains("Добрый день");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void theHeaderCharsetWinsOverMetaAndUtf8IsTheDefault() {
        byte[] utf8WithWrongMeta = "<meta charset=\"windows-1251\"><p>Grüße</p>".getBytes(StandardCharsets.UTF_8);
        byte[] undeclared = "<p>Grüße</p>".getBytes(StandardCharsets.UTF_8);
        LoopbackHttpServer server = server(r -> r.path().equals("/declared")
                ? Reply.of(200, "text/html; charset=\"utf-8\"", utf8WithWrongMeta)
                : Reply.of(200, "text/html", undeclared));
        SafeHttpFetcher fetcher = localFetcher();

        StepVerifier.create(fetcher.get(server.url("/declared")))
                .assertNext(page -> assertThat(page.text()).endsWith("<p>Grüße</p>"))
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(fetcher.get(server.url("/undeclared")))
                .assertNext(page -> {
                    assertThat(page.charset()).isEqualTo(StandardCharsets.UTF_8);
                    assertThat(page.text()).isEqualTo("<p>Grüße</p>");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    // ---- redirects ----

    @Test
    void followsRedirectsAndReportsTheFinalUrl() {
        LoopbackHttpServer server = server(r -> switch (r.path()) {
            case "/a" -> Reply.redirect(301, "/b");
            case "/b" -> Reply.redirect(302, "dir/c");
            case "/dir/c" -> Reply.redirect(307, "?page=2");
            case "/dir/c?page=2" -> Reply.html("<p>final</p>");
            default -> Reply.status(404);
        });

        StepVerifier.create(localFetcher().get(server.url("/a")))
                .assertNext(page -> {
                    assertThat(page.text()).isEqualTo("<p>final</p>");
                    assertThat(page.requestedUrl().toString()).isEqualTo(server.url("/a"));
                    assertThat(page.url().toString()).isEqualTo(server.url("/dir/c?page=2"));
                })
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).extracting(LoopbackHttpServer.Recorded::path)
                .containsExactly("/a", "/b", "/dir/c", "/dir/c?page=2");
    }

    /** {@code /hop/N} redirects to {@code /hop/N-1}; {@code /hop/0} is the page. */
    private LoopbackHttpServer redirectChainServer() {
        return server(r -> {
            int n = Integer.parseInt(r.path().substring("/hop/".length()));
            return n == 0 ? Reply.html("<p>end</p>") : Reply.redirect(302, "/hop/" + (n - 1));
        });
    }

    @Test
    void followsExactlyTheMaximumNumberOfRedirects() {
        LoopbackHttpServer server = redirectChainServer();

        StepVerifier.create(localFetcher().get(server.url("/hop/5")))
                .assertNext(page -> assertThat(page.url().toString()).isEqualTo(server.url("/hop/0")))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).hasSize(6);
    }

    @Test
    void failsOnTheSixthRedirectWithoutFollowingIt() {
        LoopbackHttpServer server = redirectChainServer();

        StepVerifier.create(localFetcher().get(server.url("/hop/6")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(TooManyRedirectsException.class);
                    assertThat(((TooManyRedirectsException) e).maxRedirects()).isEqualTo(5);
                    assertThat(((FetchException) e).url()).isEqualTo(server.url("/hop/6"));
                })
                .verify(VERIFY);
        // The first request and five followed redirects; the sixth redirect is not followed.
        assertThat(server.requests()).extracting(LoopbackHttpServer.Recorded::path)
                .containsExactly("/hop/6", "/hop/5", "/hop/4", "/hop/3", "/hop/2", "/hop/1");
    }

    @Test
    void a303AfterAPostBecomesAGetWhileA307RepeatsThePost() {
        LoopbackHttpServer server = server(r -> switch (r.path()) {
            case "/see-other" -> Reply.redirect(303, "/result");
            case "/temporary" -> Reply.redirect(307, "/result");
            case "/result" -> Reply.html("<p>" + r.method() + " " + r.body() + "</p>");
            default -> Reply.status(404);
        });
        SafeHttpFetcher fetcher = localFetcher();
        List<FormField> form = List.of(new FormField("q", "x"));

        StepVerifier.create(fetcher.postForm(server.httpUrl("/see-other"), form))
                .assertNext(page -> assertThat(page.text()).isEqualTo("<p>GET </p>"))
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(fetcher.postForm(server.httpUrl("/temporary"), form))
                .assertNext(page -> assertThat(page.text()).isEqualTo("<p>POST q=x</p>"))
                .expectComplete()
                .verify(VERIFY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/file", "file:///etc/passwd", "javascript:alert(1)"})
    void aRedirectToAnotherSchemeIsRefused(String location) {
        LoopbackHttpServer server = server(r -> Reply.redirect(302, location));

        StepVerifier.create(localFetcher().get(server.url("/")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidUrlException.class)
                        .hasMessageContaining("scheme"))
                .verify(VERIFY);
    }

    @Test
    void eachRedirectHopIsCheckedEvenWhenTheFirstHopWasAllowed() {
        LoopbackHttpServer other = server(r -> Reply.html("<p>must not be reached</p>"));
        LoopbackHttpServer first = server(r -> switch (r.path()) {
            case "/to-other-port" -> Reply.redirect(302, other.url("/secret"));
            case "/to-metadata" -> Reply.redirect(302, "http://169.254.169.254/latest/meta-data/");
            case "/to-private" -> Reply.redirect(301, "http://10.0.0.1/admin");
            case "/to-mapped" -> Reply.redirect(302, "http://[::ffff:127.0.0.1]:" + other.port() + "/");
            default -> Reply.status(404);
        });
        // Only the first server's exact address and port is admitted; the redirect targets must still be refused.
        SafeHttpFetcher fetcher = fetcher(HttpFetchOptions.defaults(),
                AddressPolicy.publicOnly().permitting(first.address()), HostResolver.SYSTEM);

        for (String[] c : new String[][] {
                {"/to-other-port", "127.0.0.1", "loopback"},
                {"/to-metadata", "169.254.169.254", "link-local"},
                {"/to-private", "10.0.0.1", "private"},
                {"/to-mapped", "127.0.0.1", "loopback"}}) {
            StepVerifier.create(fetcher.get(first.url(c[0])))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(BlockedAddressException.class);
                        BlockedAddressException blocked = (BlockedAddressException) e;
                        assertThat(blocked.address().getHostAddress()).isEqualTo(c[1]);
                        assertThat(blocked.reason()).contains(c[2]);
                    })
                    .verify(VERIFY);
        }
        assertThat(first.requests()).hasSize(4);
        assertThat(other.requests()).isEmpty();
    }

    // ---- size and time limits ----

    @Test
    void anEndlessBodyIsAbortedAtTheSizeLimit() {
        byte[] chunk = new byte[8192];
        java.util.Arrays.fill(chunk, (byte) 'a');
        AtomicInteger chunksSent = new AtomicInteger();
        LoopbackHttpServer server = server(r -> Reply.streamed("text/html",
                Flux.<byte[]>generate(sink -> sink.next(chunk)).doOnNext(c -> chunksSent.incrementAndGet())));

        SafeHttpFetcher fetcher = fetcher(HttpFetchOptions.defaults().withAllowPrivateAddresses(true)
                .withMaxBodyBytes(64 * 1024));

        // The body has no end: the fetch can only finish by aborting the stream at the limit.
        StepVerifier.create(fetcher.get(server.url("/endless")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ResponseTooLargeException.class);
                    assertThat(((ResponseTooLargeException) e).limitBytes()).isEqualTo(64 * 1024);
                })
                .verify(VERIFY);
        assertThat(chunksSent.get()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void aDeclaredLengthOverTheLimitFailsBeforeReading() {
        byte[] body = new byte[100_000];
        java.util.Arrays.fill(body, (byte) 'x');
        LoopbackHttpServer server = server(r -> Reply.of(200, "text/plain", body));

        StepVerifier.create(fetcher(HttpFetchOptions.defaults().withAllowPrivateAddresses(true)
                        .withMaxBodyBytes(10_000)).get(server.url("/big")))
                .expectError(ResponseTooLargeException.class)
                .verify(VERIFY);
    }

    @Test
    void aServerThatNeverAnswersHitsTheReadTimeout() throws IOException {
        // The kernel completes the TCP handshake into the backlog; nothing ever accepts or answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SafeHttpFetcher fetcher = fetcher(HttpFetchOptions.defaults().withAllowPrivateAddresses(true)
                    .withReadTimeout(Duration.ofMillis(300)).withTotalTimeout(Duration.ofSeconds(10)));

            StepVerifier.create(fetcher.get("http://127.0.0.1:" + silent.getLocalPort() + "/"))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(FetchTimeoutException.class);
                        assertThat(((FetchTimeoutException) e).phase()).isEqualTo(FetchTimeoutException.Phase.READ);
                    })
                    .verify(VERIFY);
        }
    }

    @Test
    void aSlowTrickleHitsTheTotalTimeout() {
        LoopbackHttpServer server = server(r -> Reply.streamed("text/plain",
                Flux.interval(Duration.ofMillis(50)).map(i -> new byte[] {'.'})));
        SafeHttpFetcher fetcher = fetcher(HttpFetchOptions.defaults().withAllowPrivateAddresses(true)
                .withReadTimeout(Duration.ofSeconds(5)).withTotalTimeout(Duration.ofMillis(500)));

        StepVerifier.create(fetcher.get(server.url("/trickle")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(FetchTimeoutException.class);
                    assertThat(((FetchTimeoutException) e).phase()).isEqualTo(FetchTimeoutException.Phase.TOTAL);
                    assertThat(((FetchTimeoutException) e).limit()).isEqualTo(Duration.ofMillis(500));
                })
                .verify(VERIFY);
    }

    // ---- statuses and I/O ----

    @ParameterizedTest
    @CsvSource({"404, false, false, false", "429, true, false, false", "202, false, true, false",
            "403, false, false, true", "503, false, false, false"})
    void statusesOtherThanOkAreTypedErrorsWithTheCode(int status, boolean tooMany, boolean accepted,
                                                       boolean forbidden) {
        LoopbackHttpServer server = server(r -> Reply.status(status));

        StepVerifier.create(localFetcher().get(server.url("/x")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(FetchStatusException.class);
                    FetchStatusException s = (FetchStatusException) e;
                    assertThat(s.statusCode()).isEqualTo(status);
                    assertThat(s.isTooManyRequests()).isEqualTo(tooMany);
                    assertThat(s.isAccepted()).isEqualTo(accepted);
                    assertThat(s.isForbidden()).isEqualTo(forbidden);
                    assertThat(s.isServerError()).isEqualTo(status >= 500);
                })
                .verify(VERIFY);
    }

    @Test
    void aRefusedConnectionIsAnIoError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        StepVerifier.create(localFetcher().get("http://127.0.0.1:" + port + "/"))
                .expectError(FetchIoException.class)
                .verify(VERIFY);
    }

    @Test
    void anUnknownHostIsAnIoError() {
        HostResolver nothing = host -> {
            throw new UnknownHostException(host);
        };

        StepVerifier.create(fetcher(HttpFetchOptions.defaults(), AddressPolicy.publicOnly(), nothing)
                        .get("http://no-such-host.invalid/"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FetchIoException.class)
                        .hasMessageContaining("no-such-host.invalid"))
                .verify(VERIFY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://example.com/", "gopher://example.com/",
            "http://user:secret@example.com/", "http:///nohost", "not a url"})
    void refusesUrlsThatAreNotPlainHttp(String url) {
        StepVerifier.create(fetcher(HttpFetchOptions.defaults()).get(url))
                .expectError(InvalidUrlException.class)
                .verify(VERIFY);
    }

    // ---- address blocking ----

    @ParameterizedTest
    @CsvSource({
            "http://127.0.0.1/, 127.0.0.1",
            "http://[::1]/, 0:0:0:0:0:0:0:1",
            "http://169.254.169.254/latest/meta-data/, 169.254.169.254",
            "http://10.0.0.1/, 10.0.0.1",
            "http://[::ffff:127.0.0.1]/, 127.0.0.1",
            "http://0.0.0.0/, 0.0.0.0",
            "http://100.64.0.1/, 100.64.0.1",
            "http://192.168.1.1:8080/, 192.168.1.1",
            "http://[fe80::1]/, fe80:0:0:0:0:0:0:1",
            "http://[fd00::1]/, fd00:0:0:0:0:0:0:1",
            "http://2130706433/, 127.0.0.1",
            "https://localhost/, ''"})
    void blocksNonPublicTargetsByDefault(String url, String address) {
        StepVerifier.create(fetcher(HttpFetchOptions.defaults()).get(url))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(BlockedAddressException.class);
                    BlockedAddressException blocked = (BlockedAddressException) e;
                    assertThat(e.getMessage()).contains(blocked.host()).contains(blocked.address().getHostAddress());
                    if (!address.isEmpty()) {
                        assertThat(blocked.address().getHostAddress()).isEqualTo(address);
                    } else {
                        assertThat(blocked.address().isLoopbackAddress()).isTrue();
                        assertThat(blocked.host()).isEqualTo("localhost");
                    }
                })
                .verify(VERIFY);
    }

    @Test
    void blocksBeforeConnectingToARealLoopbackServer() {
        LoopbackHttpServer server = server(r -> Reply.html("<p>private</p>"));
        SafeHttpFetcher fetcher = fetcher(HttpFetchOptions.defaults());

        for (String url : List.of(server.url("/"), "http://localhost:" + server.port() + "/",
                "http://[::ffff:127.0.0.1]:" + server.port() + "/", "http://127.1:" + server.port() + "/")) {
            StepVerifier.create(fetcher.get(url))
                    .expectError(BlockedAddressException.class)
                    .verify(VERIFY);
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void everyResolvedAddressIsCheckedNotOnlyTheOneUsed() throws UnknownHostException {
        InetAddress publicAddress = InetAddress.getByName("93.184.216.34");
        InetAddress privateAddress = InetAddress.getByName("10.1.2.3");
        HostResolver mixed = host -> List.of(publicAddress, privateAddress);

        StepVerifier.create(fetcher(HttpFetchOptions.defaults(), AddressPolicy.publicOnly(), mixed)
                        .get("https://rebind.example/"))
                .expectErrorSatisfies(e -> {
                    BlockedAddressException blocked = (BlockedAddressException) e;
                    assertThat(blocked.host()).isEqualTo("rebind.example");
                    assertThat(blocked.address()).isEqualTo(privateAddress);
                })
                .verify(VERIFY);
    }

    @Test
    void connectsToTheCheckedAddressResolvingOnceAndSendsTheNameAsHost() throws UnknownHostException {
        LoopbackHttpServer server = server(r -> Reply.html("<p>" + r.header("Host") + "</p>"));
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        AtomicInteger lookups = new AtomicInteger();
        // A rebinding resolver: the first answer is the admitted server, any later one a private address.
        HostResolver rebinding = host -> lookups.getAndIncrement() == 0
                ? List.of(loopback) : List.of(InetAddress.getByName("10.9.9.9"));
        SafeHttpFetcher fetcher = fetcher(HttpFetchOptions.defaults(),
                AddressPolicy.publicOnly().permitting(server.address()), rebinding);

        StepVerifier.create(fetcher.get("http://Docs.Example.TEST:" + server.port() + "/page"))
                .assertNext(page -> assertThat(page.text())
                        .isEqualTo("<p>docs.example.test:" + server.port() + "</p>"))
                .expectComplete()
                .verify(VERIFY);
        assertThat(lookups.get()).isEqualTo(1);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void allowPrivateAddressesLiftsTheCheck() {
        LoopbackHttpServer server = server(r -> Reply.html("<p>local</p>"));

        StepVerifier.create(fetcher(HttpFetchOptions.defaults().withAllowPrivateAddresses(true))
                        .get("http://localhost:" + server.port() + "/"))
                .assertNext(page -> assertThat(page.text()).isEqualTo("<p>local</p>"))
                .expectComplete()
                .verify(VERIFY);
        assertThat(server.requests()).extracting(r -> r.header("Host"))
                .containsExactly("localhost:" + server.port());
    }

    @Test
    void optionsHaveSafeDefaults() {
        HttpFetchOptions defaults = HttpFetchOptions.defaults();

        assertThat(defaults.allowPrivateAddresses()).isFalse();
        assertThat(defaults.maxRedirects()).isEqualTo(5);
        assertThat(defaults.maxBodyBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(defaults.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.readTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.totalTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.userAgent()).isEqualTo(HttpFetchOptions.BROWSER_USER_AGENT);
    }
}
