package io.rewoo4j.tools.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name or address literal into the addresses it stands for. Called on a bounded-elastic thread
 * (it may block), once per request hop; the fetcher checks every returned address and connects to one of them,
 * never resolving the name again.
 */
@FunctionalInterface
public interface HostResolver {

    /** The system resolver ({@link InetAddress#getAllByName(String)}), which also parses literals. */
    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * @param host a host name or an IP literal (IPv6 without brackets)
     * @return at least one address
     * @throws UnknownHostException when the name does not resolve
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
