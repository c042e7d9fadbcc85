package io.rewoo4j.tools.http;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The host resolved to an address that the {@link AddressPolicy} does not allow (loopback, private, link-local,
 * ...). Raised before any connection is opened.
 */
public final class BlockedAddressException extends FetchException {

    private static final long serialVersionUID = 1L;

    private final String host;
    private final InetAddress address;
    private final String reason;

    public BlockedAddressException(String url, String host, InetAddress address, String reason) {
        super(url, "Blocked request to " + host + " (" + address.getHostAddress() + "): " + reason
                + " addresses are not allowed", null);
        this.host = Objects.requireNonNull(host, "host");
        this.address = address;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The host name or literal as written in the URL. */
    public String host() {
        return host;
    }

    /** The (first) offending address the host resolved to. */
    public InetAddress address() {
        return address;
    }

    /** The address class that is blocked, e.g. {@code "loopback"}. */
    public String reason() {
        return reason;
    }
}
