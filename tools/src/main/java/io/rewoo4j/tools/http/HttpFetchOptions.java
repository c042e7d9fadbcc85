package io.rewoo4j.tools.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link SafeHttpFetcher}.
 *
 * @param connectTimeout        how long opening a connection may take
 * @param readTimeout           how long the server may stay silent while the response is awaited or read
 * @param totalTimeout          how long a whole fetch, redirects included, may take
 * @param maxBodyBytes          the largest body read (after decompression); a larger one is aborted
 * @param maxRedirects          how many redirects are followed; one more fails the fetch
 * @param allowPrivateAddresses whether loopback, private and link-local addresses may be fetched — for local
 *                              testing only ({@code rewoo.tools.http.allow-private-addresses})
 * @param userAgent             the {@code User-Agent} sent with every request
 */
public record HttpFetchOptions(Duration connectTimeout, Duration readTimeout, Duration totalTimeout,
                               long maxBodyBytes, int maxRedirects, boolean allowPrivateAddresses, String userAgent) {

    /** A current desktop Firefox: some sites (DuckDuckGo's HTML endpoint among them) turn away unknown agents. */
    public static final String BROWSER_USER_AGENT =
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    public HttpFetchOptions {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(readTimeout, "readTimeout");
        requirePositive(totalTimeout, "totalTimeout");
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative: " + maxRedirects);
        }
        Objects.requireNonNull(userAgent, "userAgent");
    }

    /** Connect 10 s, read 15 s, total 30 s, 5 MiB, 5 redirects, public addresses only, {@link #BROWSER_USER_AGENT}. */
    public static HttpFetchOptions defaults() {
        return new HttpFetchOptions(Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
                5L * 1024 * 1024, 5, false, BROWSER_USER_AGENT);
    }

    public HttpFetchOptions withConnectTimeout(Duration value) {
        return new HttpFetchOptions(value, readTimeout, totalTimeout, maxBodyBytes, maxRedirects,
                allowPrivateAddresses, userAgent);
    }

    public HttpFetchOptions withReadTimeout(Duration value) {
        return new HttpFetchOptions(connectTimeout, value, totalTimeout, maxBodyBytes, maxRedirects,
                allowPrivateAddresses, userAgent);
    }

    public HttpFetchOptions withTotalTimeout(Duration value) {
        return new HttpFetchOptions(connectTimeout, readTimeout, value, maxBodyBytes, maxRedirects,
                allowPrivateAddresses, userAgent);
    }

    public HttpFetchOptions withMaxBodyBytes(long value) {
        return new HttpFetchOptions(connectTimeout, readTimeout, totalTimeout, value, maxRedirects,
                allowPrivateAddresses, userAgent);
    }

    public HttpFetchOptions withMaxRedirects(int value) {
        return new HttpFetchOptions(connectTimeout, readTimeout, totalTimeout, maxBodyBytes, value,
                allowPrivateAddresses, userAgent);
    }

    public HttpFetchOptions withAllowPrivateAddresses(boolean value) {
        return new HttpFetchOptions(connectTimeout, readTimeout, totalTimeout, maxBodyBytes, maxRedirects,
                value, userAgent);
    }

    public HttpFetchOptions withUserAgent(String value) {
        return new HttpFetchOptions(connectTimeout, readTimeout, totalTimeout, maxBodyBytes, maxRedirects,
                allowPrivateAddresses, value);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
