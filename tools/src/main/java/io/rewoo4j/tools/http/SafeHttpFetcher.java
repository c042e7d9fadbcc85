package io.rewoo4j.tools.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.resolver.NoopAddressResolverGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.HttpClientSecurityUtils;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.SslProvider;

/**
 * Fetches web pages for tools whose URLs come from a model or from other pages, without letting those URLs reach
 * the server's own network.
 *
 * <p>For every hop (the first request and each redirect) the fetcher resolves the host itself, on a
 * bounded-elastic thread, checks <em>every</em> resolved address against the {@link AddressPolicy}, then connects
 * to the checked address while sending the name in the {@code Host} header and in TLS (SNI and certificate
 * verification). Netty is given a resolver that never resolves, so a second DNS answer (DNS rebinding) cannot
 * redirect the connection, and IP literals go through the same check as names. Redirects are followed here, not by
 * Reactor Netty, so each is checked the same way; at most {@link HttpFetchOptions#maxRedirects()} are followed.
 *
 * <p>Only HTML, XHTML and plain text are read (a {@link UnsupportedContentTypeException} otherwise, decided from the
 * headers before the body is read); bodies are streamed and the connection dropped as soon as
 * {@link HttpFetchOptions#maxBodyBytes()} is exceeded. The charset comes from a byte-order mark, the
 * {@code Content-Type} header, a {@code <meta>} declaration, else UTF-8.
 *
 * <p>Every failure is a {@link FetchException}. Instances are thread-safe; {@link #close()} releases the connection
 * pool.
 */
public final class SafeHttpFetcher implements AutoCloseable {

    private static final String ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1";
    private static final String ACCEPT_LANGUAGE = "en-US,en;q=0.5";

    private final HttpFetchOptions options;
    private final AddressPolicy policy;
    private final HostResolver resolver;
    private final ConnectionProvider connections;
    private final HttpClient client;
    private final SslProvider tls;

    /** A fetcher whose address policy follows {@link HttpFetchOptions#allowPrivateAddresses()}. */
    public SafeHttpFetcher(HttpFetchOptions options) {
        this(options, AddressPolicy.of(options.allowPrivateAddresses()), HostResolver.SYSTEM);
    }

    /**
     * A fetcher with an explicit address policy and resolver (tests use these to admit one loopback server, or to
     * make names resolve to chosen addresses). {@link HttpFetchOptions#allowPrivateAddresses()} is ignored here.
     */
    public SafeHttpFetcher(HttpFetchOptions options, AddressPolicy policy, HostResolver resolver) {
        this(options, policy, resolver, null);
    }

    /**
     * A fetcher trusting the certificates {@code trust} trusts instead of the JVM's default trust store (tests use
     * it to reach a local TLS server); host names are verified all the same.
     */
    SafeHttpFetcher(HttpFetchOptions options, AddressPolicy policy, HostResolver resolver, SslContext trust) {
        this.tls = trust == null ? null : SslProvider.builder()
                .sslContext(trust)
                .handlerConfigurator(HttpClientSecurityUtils.HOSTNAME_VERIFICATION_CONFIGURER)
                .build();
        this.options = Objects.requireNonNull(options, "options");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.connections = ConnectionProvider.builder("rewoo-safe-fetcher")
                .maxConnections(64)
                .maxIdleTime(Duration.ofSeconds(20))
                .pendingAcquireTimeout(options.totalTimeout())
                .build();
        this.client = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        options.connectTimeout().toMillis()))
                .responseTimeout(options.readTimeout())
                .followRedirect(false)
                .disableRetry(true)
                .compress(true)
                .noProxy()
                // Every address handed to Netty is already resolved and checked; it must never resolve on its own.
                .resolver(NoopAddressResolverGroup.INSTANCE);
    }

    public HttpFetchOptions options() {
        return options;
    }

    /** GETs {@code url}. */
    public Mono<FetchedPage> get(HttpUrl url) {
        return fetch(FetchRequest.get(url));
    }

    /** GETs {@code url}, parsed leniently; an invalid URL fails the returned Mono with {@link InvalidUrlException}. */
    public Mono<FetchedPage> get(String url) {
        return Mono.fromCallable(() -> HttpUrl.parse(url)).flatMap(this::get);
    }

    /** POSTs an HTML form to {@code url}. */
    public Mono<FetchedPage> postForm(HttpUrl url, List<FormField> form) {
        return fetch(FetchRequest.postForm(url, form));
    }

    /**
     * Performs {@code request}, following redirects. Fails with a {@link FetchException}.
     */
    public Mono<FetchedPage> fetch(FetchRequest request) {
        Objects.requireNonNull(request, "request");
        HttpUrl first = request.url();
        return Mono.defer(() -> hop(request, first, 0))
                .timeout(options.totalTimeout(), Mono.error(() -> new FetchTimeoutException(first.toString(),
                        FetchTimeoutException.Phase.TOTAL, options.totalTimeout(), null)))
                .onErrorMap(e -> !(e instanceof FetchException) && isTransportFailure(e),
                        e -> translate(e, first.toString()));
    }

    private Mono<FetchedPage> hop(FetchRequest request, HttpUrl first, int redirectsSoFar) {
        HttpUrl url = request.url();
        if (url.hasUserInfo()) {
            return Mono.error(new InvalidUrlException(url.toString(), "credentials in URLs are not sent"));
        }
        return resolveAndCheck(url)
                .flatMap(address -> exchange(request, address, first))
                .onErrorMap(e -> !(e instanceof FetchException) && isTransportFailure(e),
                        e -> translate(e, url.toString()))
                .flatMap(outcome -> {
                    if (outcome instanceof Outcome.Page page) {
                        return Mono.just(page.page());
                    }
                    Outcome.Redirect redirect = (Outcome.Redirect) outcome;
                    if (redirectsSoFar >= options.maxRedirects()) {
                        return Mono.error(new TooManyRedirectsException(first.toString(), options.maxRedirects()));
                    }
                    return hop(redirected(request, redirect), first, redirectsSoFar + 1);
                });
    }

    /** 303, and 301/302 after a POST, turn into a GET without a body, as browsers do; 307/308 repeat the request. */
    private static FetchRequest redirected(FetchRequest request, Outcome.Redirect redirect) {
        boolean toGet = redirect.status() == 303
                || ((redirect.status() == 301 || redirect.status() == 302)
                && request.method() == FetchRequest.Method.POST);
        if (toGet) {
            return new FetchRequest(FetchRequest.Method.GET, redirect.location(), request.headers(), List.of());
        }
        return request.withUrl(redirect.location());
    }

    private Mono<InetAddress> resolveAndCheck(HttpUrl url) {
        return Mono.fromCallable(() -> {
            List<InetAddress> addresses;
            try {
                addresses = resolver.resolve(url.host());
            } catch (UnknownHostException e) {
                throw new FetchIoException(url.toString(), "Unknown host '" + url.host() + "'", e);
            }
            if (addresses == null || addresses.isEmpty()) {
                throw new FetchIoException(url.toString(), "Host '" + url.host() + "' has no addresses", null);
            }
            // Every answer is checked, not only the one used: a mixed answer is a sign of an attack.
            for (InetAddress address : addresses) {
                policy.check(url.toString(), url.host(), address, url.port());
            }
            // Prefer IPv4: many hosts (and sandboxes) have no IPv6 route.
            return addresses.stream()
                    .min(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1))
                    .orElseThrow();
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private Mono<Outcome> exchange(FetchRequest request, InetAddress checked, HttpUrl first) {
        HttpUrl url = request.url();
        InetSocketAddress target;
        try {
            target = new InetSocketAddress(pinned(url.host(), checked), url.port());
        } catch (UnknownHostException e) {
            return Mono.error(new FetchIoException(url.toString(), "Bad address for " + url.host(), e));
        }
        HttpClient c = client.remoteAddress(() -> target)
                .headers(h -> setHeaders(h, request));
        if (url.isHttps()) {
            // Reactor Netty verifies the certificate against target.getHostString(): the name, not the address.
            c = tls == null ? c.secure() : c.secure(tls);
        }
        boolean post = request.method() == FetchRequest.Method.POST;
        HttpClient.ResponseReceiver<?> receiver;
        if (post) {
            byte[] body = request.encodedForm().getBytes(StandardCharsets.UTF_8);
            receiver = c.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length))
                    .request(HttpMethod.POST)
                    .uri(url.pathAndQuery())
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
        } else {
            receiver = c.request(HttpMethod.GET).uri(url.pathAndQuery());
        }
        return receiver.response((response, body) -> handle(request, response, body, first)).next();
    }

    /**
     * An address carrying the host name, so that Reactor Netty uses the name for SNI and certificate checks (it
     * takes {@code getHostString()}) while connecting to the checked address without resolving anything.
     */
    private static InetAddress pinned(String host, InetAddress checked) throws UnknownHostException {
        if (checked instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            return Inet6Address.getByAddress(host, checked.getAddress(), v6.getScopeId());
        }
        return InetAddress.getByAddress(host, checked.getAddress());
    }

    private void setHeaders(HttpHeaders h, FetchRequest request) {
        h.set(HttpHeaderNames.HOST, request.url().hostHeader());
        h.set(HttpHeaderNames.USER_AGENT, options.userAgent());
        h.set(HttpHeaderNames.ACCEPT, ACCEPT);
        h.set(HttpHeaderNames.ACCEPT_LANGUAGE, ACCEPT_LANGUAGE);
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            if (!header.getKey().equalsIgnoreCase("host")) {
                h.set(header.getKey(), header.getValue());
            }
        }
    }

    private Mono<Outcome> handle(FetchRequest request, HttpClientResponse response, ByteBufFlux body,
                                 HttpUrl first) {
        HttpUrl url = request.url();
        int status = response.status().code();
        if (isFollowedRedirect(status)) {
            String location = response.responseHeaders().get(HttpHeaderNames.LOCATION);
            if (location == null || location.isBlank()) {
                return Mono.error(new FetchStatusException(url.toString(), status));
            }
            return Mono.fromCallable(() -> new Outcome.Redirect(status, url.resolve(location)));
        }
        if (status != 200 && status != 203) {
            return Mono.error(new FetchStatusException(url.toString(), status));
        }
        ContentType declared = ContentType.parse(response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE));
        if (!declared.mediaType().isEmpty() && !declared.isReadable()) {
            return Mono.error(new UnsupportedContentTypeException(url.toString(), declared.mediaType()));
        }
        String length = response.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null && !response.responseHeaders().contains(HttpHeaderNames.CONTENT_ENCODING)
                && parseLength(length) > options.maxBodyBytes()) {
            return Mono.error(new ResponseTooLargeException(url.toString(), options.maxBodyBytes()));
        }
        return body.asByteArray()
                .reduceWith(() -> new BodyBuffer(url.toString(), options.maxBodyBytes()), BodyBuffer::append)
                .map(BodyBuffer::bytes)
                .defaultIfEmpty(new byte[0])
                .flatMap(bytes -> toPage(first, url, status, declared, bytes));
    }

    private static Mono<Outcome> toPage(HttpUrl first, HttpUrl url, int status, ContentType declared, byte[] bytes) {
        String mediaType = declared.mediaType().isEmpty() ? ContentType.sniff(bytes) : declared.mediaType();
        if (!ContentType.READABLE.contains(mediaType)) {
            return Mono.error(new UnsupportedContentTypeException(url.toString(), mediaType));
        }
        Charset charset = PageCharset.detect(bytes, declared.charset(), !mediaType.equals(ContentType.TEXT_PLAIN));
        String text = PageCharset.decode(bytes, charset);
        return Mono.just(new Outcome.Page(new FetchedPage(first, url, status, mediaType, charset, text)));
    }

    private static boolean isFollowedRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isTransportFailure(Throwable e) {
        Throwable t = Exceptions.unwrap(e);
        return t instanceof IOException || t instanceof ReadTimeoutException
                || t instanceof io.netty.channel.ChannelException;
    }

    private FetchException translate(Throwable e, String url) {
        Throwable t = Exceptions.unwrap(e);
        if (t instanceof ReadTimeoutException) {
            return new FetchTimeoutException(url, FetchTimeoutException.Phase.READ, options.readTimeout(), t);
        }
        if (t instanceof ConnectTimeoutException) {
            return new FetchTimeoutException(url, FetchTimeoutException.Phase.CONNECT, options.connectTimeout(), t);
        }
        if (t instanceof PrematureCloseException) {
            return new FetchIoException(url, "Connection closed before the response was complete", t);
        }
        if (t instanceof SSLException) {
            return new FetchIoException(url, "TLS failure: " + t.getMessage(), t);
        }
        return new FetchIoException(url, "I/O failure: " + t, t);
    }

    /** Releases the connection pool. */
    @Override
    public void close() {
        connections.dispose();
    }

    /** What one hop produced. */
    private sealed interface Outcome {
        record Page(FetchedPage page) implements Outcome {
        }

        record Redirect(int status, HttpUrl location) implements Outcome {
        }
    }

    /** Accumulates body chunks and fails as soon as the limit is passed, which cancels the read. */
    private static final class BodyBuffer {
        private final String url;
        private final long limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        BodyBuffer(String url, long limit) {
            this.url = url;
            this.limit = limit;
        }

        BodyBuffer append(byte[] chunk) {
            if ((long) bytes.size() + chunk.length > limit) {
                throw new ResponseTooLargeException(url, limit);
            }
            bytes.write(chunk, 0, chunk.length);
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
