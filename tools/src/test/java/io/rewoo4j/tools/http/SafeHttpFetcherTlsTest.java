package io.rewoo4j.tools.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.rewoo4j.tools.http.LoopbackHttpServer.Reply;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * HTTPS through the pinned connection: the fetcher connects to the checked address, yet TLS must see the host
 * name — for SNI and for certificate verification. The server's certificate names only {@code tls.example.test}
 * (made with the JDK's keytool for this run), so a handshake verified against the IP address would fail.
 */
class SafeHttpFetcherTlsTest {

    private static final String HOST = "tls.example.test";
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final Duration VERIFY = Duration.ofSeconds(15);

    @TempDir
    static Path dir;

    private static LoopbackHttpServer server;
    private static SslContext trustingTestCertificate;

    @BeforeAll
    static void startTlsServer() throws Exception {
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + HOST, "-ext", "SAN=dns:" + HOST, "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool: %s", output).isZero();

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        PrivateKey key = (PrivateKey) store.getKey("server", PASSWORD);
        X509Certificate certificate = (X509Certificate) store.getCertificate("server");
        server = LoopbackHttpServer.startTls(r -> Reply.html("<p>secure " + r.header("Host") + "</p>"),
                key, certificate);
        trustingTestCertificate = SslContextBuilder.forClient().trustManager(certificate).build();
    }

    @AfterAll
    static void stopTlsServer() {
        if (server != null) {
            server.close();
        }
    }

    private static SafeHttpFetcher fetcher() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        return new SafeHttpFetcher(HttpFetchOptions.defaults(),
                AddressPolicy.publicOnly().permitting(server.address()),
                host -> host.equals(HOST) ? List.of(loopback) : HostResolver.SYSTEM.resolve(host),
                trustingTestCertificate);
    }

    @Test
    void verifiesTheCertificateAgainstTheHostNameWhileConnectingToThePinnedAddress() throws Exception {
        try (SafeHttpFetcher fetcher = fetcher()) {
            StepVerifier.create(fetcher.get("https://" + HOST + ":" + server.port() + "/"))
                    .assertNext(page -> assertThat(page.text())
                            .isEqualTo("<p>secure " + HOST + ":" + server.port() + "</p>"))
                    .expectComplete()
                    .verify(VERIFY);
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        // Same server, reached by its address: the certificate does not name 127.0.0.1, so TLS must fail.
        try (SafeHttpFetcher fetcher = fetcher()) {
            StepVerifier.create(fetcher.get("https://127.0.0.1:" + server.port() + "/"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FetchIoException.class)
                            .hasMessageContaining("TLS"))
                    .verify(VERIFY);
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (SafeHttpFetcher fetcher = new SafeHttpFetcher(HttpFetchOptions.defaults(),
                AddressPolicy.publicOnly().permitting(server.address()), host -> List.of(loopback))) {
            StepVerifier.create(fetcher.get("https://" + HOST + ":" + server.port() + "/"))
                    .expectError(FetchIoException.class)
                    .verify(VERIFY);
        }
    }
}
