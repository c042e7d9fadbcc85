package io.rewoo4j.tools.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {

    private final AddressPolicy policy = AddressPolicy.publicOnly();

    /**
     * An address from text. IPv6 text is kept as an {@link Inet6Address} even in the IPv4-mapped form, which
     * {@link InetAddress#getByName} would collapse to IPv4 — the policy must handle both shapes.
     */
    private static InetAddress address(String text) throws UnknownHostException {
        InetAddress parsed = InetAddress.getByName(text);
        if (!text.contains(":") || parsed instanceof Inet6Address) {
            return parsed;
        }
        byte[] v4 = parsed.getAddress();
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        return Inet6Address.getByAddress(null, v6, -1);
    }

    @ParameterizedTest
    @CsvSource({
            "0.0.0.0, unspecified",
            "0.1.2.3, this network",
            "10.0.0.1, private",
            "10.255.255.255, private",
            "100.64.0.1, carrier-grade NAT",
            "100.127.255.254, carrier-grade NAT",
            "127.0.0.1, loopback",
            "127.53.0.9, loopback",
            "169.254.169.254, link-local",
            "172.16.0.1, private",
            "172.31.255.255, private",
            "192.0.0.170, IETF",
            "192.0.2.10, documentation",
            "192.88.99.1, 6to4 relay",
            "192.168.1.1, private",
            "198.18.0.1, benchmarking",
            "198.51.100.7, documentation",
            "203.0.113.9, documentation",
            "224.0.0.1, multicast",
            "239.255.255.250, multicast",
            "240.0.0.1, reserved",
            "255.255.255.255, broadcast",
            "::, unspecified",
            "::1, loopback",
            "fe80::1, link-local",
            "febf::1, link-local",
            "fc00::1, unique local",
            "fd12:3456::1, unique local",
            "fec0::1, site-local",
            "ff02::1, multicast",
            "100::1, not global unicast",
            "::ffff:127.0.0.1, IPv4-mapped form of a loopback",
            "::ffff:10.0.0.1, IPv4-mapped form of a private",
            "::ffff:169.254.169.254, IPv4-mapped form of a link-local",
            "::ffff:0:a9fe:a9fe, IPv4-translated form of a link-local",
            "::127.0.0.1, IPv4-compatible",
            "::8.8.8.8, IPv4-compatible",
            "64:ff9b::a9fe:a9fe, NAT64 form of a link-local",
            "64:ff9b::7f00:1, NAT64 form of a loopback",
            "64:ff9b:1::1, local-use NAT64",
            "2002:7f00:1::1, 6to4 form of a loopback",
            "2002:c0a8:101::1, 6to4 form of a private",
            "2002:a9fe:a9fe::, 6to4 form of a link-local",
            "2001::1, Teredo",
            "2001:2::1, IETF protocol assignment",
            "2001:db8::1, documentation",
            "3fff::1, documentation"})
    void blocksNonPublicAddresses(String text, String reason) throws UnknownHostException {
        assertThat(policy.blockReason(address(text), 80)).hasValueSatisfying(r -> assertThat(r).contains(reason));
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255",
            "100.128.0.1", "100.63.255.255", "192.169.0.1", "169.255.0.1", "223.255.255.254", "11.0.0.1",
            "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "2001:4860:4860::8888",
            "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:5db8:d822::1"})
    void allowsGloballyReachableAddresses(String text) throws UnknownHostException {
        assertThat(policy.blockReason(address(text), 443)).isEmpty();
    }

    @Test
    void checkNamesTheHostAndTheAddress() throws UnknownHostException {
        InetAddress metadata = address("169.254.169.254");

        assertThatThrownBy(() -> policy.check("http://metadata.internal/", "metadata.internal", metadata, 80))
                .isInstanceOfSatisfying(BlockedAddressException.class, e -> {
                    assertThat(e.host()).isEqualTo("metadata.internal");
                    assertThat(e.address()).isEqualTo(metadata);
                    assertThat(e.url()).isEqualTo("http://metadata.internal/");
                })
                .hasMessageContaining("metadata.internal")
                .hasMessageContaining("169.254.169.254");
    }

    @Test
    void allowAllAdmitsEverything() throws UnknownHostException {
        assertThat(AddressPolicy.allowAll().blockReason(address("127.0.0.1"), 80)).isEmpty();
        assertThat(AddressPolicy.of(true).allowsAll()).isTrue();
        assertThat(AddressPolicy.of(false).allowsAll()).isFalse();
    }

    @Test
    void permittingAdmitsOnlyThatAddressAndPort() throws UnknownHostException {
        AddressPolicy permitting = policy.permitting(new InetSocketAddress("127.0.0.1", 8080));

        assertThat(permitting.blockReason(address("127.0.0.1"), 8080)).isEmpty();
        assertThat(permitting.blockReason(address("127.0.0.1"), 8081)).contains("loopback");
        assertThat(permitting.blockReason(address("127.0.0.2"), 8080)).contains("loopback");
        assertThat(permitting.blockReason(address("10.0.0.1"), 8080)).isPresent();
        assertThat(policy.blockReason(address("127.0.0.1"), 8080)).isPresent();
    }
}
