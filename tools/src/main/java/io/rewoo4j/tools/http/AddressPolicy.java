package io.rewoo4j.tools.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which resolved addresses the fetcher may connect to. The public policy admits only globally reachable
 * unicast addresses, so that a URL chosen by a model (or planted in a page it read) cannot reach the machine
 * itself, the local network or a cloud metadata service (server-side request forgery).
 *
 * <p>Blocked: IPv4 "this network" 0/8, private 10/8, 172.16/12 and 192.168/16, carrier-grade NAT 100.64/10,
 * loopback 127/8, link-local 169.254/16, IETF protocol assignments 192.0.0/24, the documentation and benchmarking
 * ranges, 6to4 relay anycast 192.88.99/24, multicast 224/4, reserved 240/4 and broadcast; IPv6 unspecified,
 * loopback, everything outside global unicast 2000::/3 (so link-local fe80::/10, unique-local fc00::/7,
 * multicast ff00::/8, site-local fec0::/10 and discard 100::/64), 2001::/23 (Teredo and other protocol
 * assignments), the documentation ranges 2001:db8::/32 and 3fff::/20, SRv6 5f00::/16 and local-use NAT64
 * 64:ff9b:1::/48. IPv4 addresses embedded in IPv6 — mapped {@code ::ffff:a.b.c.d}, translated
 * {@code ::ffff:0:a.b.c.d}, compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d} and 6to4
 * {@code 2002:AABB:CCDD::} — are judged as the IPv4 address they lead to (compatible ones are blocked outright:
 * they are deprecated and never legitimate).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AddressPolicy {

    private static final AddressPolicy PUBLIC_ONLY = new AddressPolicy(false, Set.of());
    private static final AddressPolicy ALLOW_ALL = new AddressPolicy(true, Set.of());

    private final boolean allowAll;
    private final Set<InetSocketAddress> exemptEndpoints;

    private AddressPolicy(boolean allowAll, Set<InetSocketAddress> exemptEndpoints) {
        this.allowAll = allowAll;
        this.exemptEndpoints = exemptEndpoints;
    }

    /** Only globally reachable addresses (the default). */
    public static AddressPolicy publicOnly() {
        return PUBLIC_ONLY;
    }

    /**
     * Every address, for local testing only ({@code rewoo.tools.http.allow-private-addresses=true}): a model
     * could then make the server fetch from its own network.
     */
    public static AddressPolicy allowAll() {
        return ALLOW_ALL;
    }

    /** {@link #allowAll()} when {@code allowPrivateAddresses} is set, else {@link #publicOnly()}. */
    public static AddressPolicy of(boolean allowPrivateAddresses) {
        return allowPrivateAddresses ? ALLOW_ALL : PUBLIC_ONLY;
    }

    /**
     * This policy, additionally admitting one exact address and port (for example a test server on loopback)
     * while every other private address, and the same address on any other port, stays blocked.
     */
    public AddressPolicy permitting(InetSocketAddress endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.isUnresolved()) {
            throw new IllegalArgumentException("endpoint must be a resolved address: " + endpoint);
        }
        Set<InetSocketAddress> endpoints = new HashSet<>(exemptEndpoints);
        endpoints.add(new InetSocketAddress(endpoint.getAddress(), endpoint.getPort()));
        return new AddressPolicy(allowAll, Set.copyOf(endpoints));
    }

    /** Whether this policy admits every address. */
    public boolean allowsAll() {
        return allowAll;
    }

    /**
     * Why connecting to {@code address} on {@code port} is not allowed, or empty when it is.
     */
    public Optional<String> blockReason(InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        if (allowAll || exemptEndpoints.contains(new InetSocketAddress(address, port))) {
            return Optional.empty();
        }
        return Optional.ofNullable(classify(address));
    }

    /**
     * Throws when {@code address} (which {@code host} of {@code url} resolved to) may not be connected to.
     *
     * @throws BlockedAddressException naming the host and the address
     */
    public void check(String url, String host, InetAddress address, int port) {
        Optional<String> reason = blockReason(address, port);
        if (reason.isPresent()) {
            throw new BlockedAddressException(url, host, address, reason.get());
        }
    }

    /** The blocked class {@code address} belongs to, or null when it is globally reachable unicast. */
    static String classify(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return classifyIpv4(b);
        }
        if (address instanceof Inet6Address) {
            return classifyIpv6(b);
        }
        return "unknown address family";
    }

    private static String classifyIpv4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 0) {
            return a1 == 0 && a2 == 0 && (b[3] & 0xff) == 0 ? "unspecified" : "\"this network\" (0.0.0.0/8)";
        }
        if (a0 == 10) {
            return "private (RFC 1918)";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return "carrier-grade NAT (100.64.0.0/10)";
        }
        if (a0 == 127) {
            return "loopback";
        }
        if (a0 == 169 && a1 == 254) {
            return "link-local (169.254.0.0/16, cloud metadata)";
        }
        if (a0 == 172 && (a1 & 0xf0) == 16) {
            return "private (RFC 1918)";
        }
        if (a0 == 192 && a1 == 0 && a2 == 0) {
            return "IETF protocol assignment (192.0.0.0/24)";
        }
        if ((a0 == 192 && a1 == 0 && a2 == 2) || (a0 == 198 && a1 == 51 && a2 == 100)
                || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return "documentation (TEST-NET)";
        }
        if (a0 == 192 && a1 == 88 && a2 == 99) {
            return "6to4 relay anycast (192.88.99.0/24)";
        }
        if (a0 == 192 && a1 == 168) {
            return "private (RFC 1918)";
        }
        if (a0 == 198 && (a1 & 0xfe) == 18) {
            return "benchmarking (198.18.0.0/15)";
        }
        if (a0 >= 224 && a0 <= 239) {
            return "multicast";
        }
        if (a0 == 255 && a1 == 255 && a2 == 255 && (b[3] & 0xff) == 255) {
            return "broadcast";
        }
        if (a0 >= 240) {
            return "reserved (240.0.0.0/4)";
        }
        return null;
    }

    private static String classifyIpv6(byte[] b) {
        if (allZero(b, 0, 16)) {
            return "unspecified";
        }
        if (allZero(b, 0, 15) && b[15] == 1) {
            return "loopback";
        }
        if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded("IPv4-mapped", b, 12);
        }
        if (allZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && allZero(b, 10, 12)) {
            return embedded("IPv4-translated", b, 12);
        }
        if (allZero(b, 0, 12)) {
            return "IPv4-compatible IPv6 (deprecated)";
        }
        int w0 = word(b, 0);
        int w1 = word(b, 2);
        if (w0 == 0x0064 && w1 == 0xff9b && allZero(b, 4, 12)) {
            return embedded("NAT64", b, 12);
        }
        if (w0 == 0x0064 && w1 == 0xff9b && word(b, 4) == 0x0001) {
            return "local-use NAT64 (64:ff9b:1::/48)";
        }
        if ((w0 & 0xe000) != 0x2000) {
            if ((b[0] & 0xff) == 0xff) {
                return "multicast";
            }
            if ((w0 & 0xffc0) == 0xfe80) {
                return "link-local (fe80::/10)";
            }
            if ((w0 & 0xfe00) == 0xfc00) {
                return "unique local (fc00::/7)";
            }
            if ((w0 & 0xffc0) == 0xfec0) {
                return "site-local (fec0::/10)";
            }
            return "not global unicast (outside 2000::/3)";
        }
        if (w0 == 0x2001 && w1 <= 0x01ff) {
            return w1 == 0 ? "Teredo (2001::/32)" : "IETF protocol assignment (2001::/23)";
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return "documentation (2001:db8::/32)";
        }
        if ((w0 & 0xfff0) == 0x3ff0) {
            return "documentation (3fff::/20)";
        }
        if (w0 == 0x2002) {
            return embedded("6to4", b, 2);
        }
        return null;
    }

    private static String embedded(String form, byte[] b, int offset) {
        String inner = classifyIpv4(Arrays.copyOfRange(b, offset, offset + 4));
        return inner == null ? null : form + " form of a " + inner + " address";
    }

    private static int word(byte[] b, int offset) {
        return ((b[offset] & 0xff) << 8) | (b[offset + 1] & 0xff);
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
