package io.rewoo4j.tools.http;

import java.util.Locale;
import java.util.Optional;

/**
 * The WHATWG URL standard's IPv4 host parser: one to four dot-separated parts, each decimal, octal (leading
 * {@code 0}) or hexadecimal ({@code 0x}), the last part filling the remaining bytes — so {@code 127.1},
 * {@code 2130706433} and {@code 0x7f.0.0.1} all mean {@code 127.0.0.1}. Browsers and many resolvers read these
 * forms; canonicalising them keeps the host the fetcher checks and reports the same as the one it connects to.
 */
final class Ipv4Literal {

    private Ipv4Literal() {
    }

    /** The dotted-quad form of {@code host}, or empty when it is not a valid IPv4 address in any of those forms. */
    static Optional<String> canonical(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = h.split("\\.", -1);
        if (parts.length == 0 || parts.length > 4) {
            return Optional.empty();
        }
        long[] numbers = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long n = parsePart(parts[i]);
            if (n == null) {
                return Optional.empty();
            }
            numbers[i] = n;
        }
        for (int i = 0; i < numbers.length - 1; i++) {
            if (numbers[i] > 255) {
                return Optional.empty();
            }
        }
        long last = numbers[numbers.length - 1];
        if (last >= 1L << (8 * (5 - numbers.length))) {
            return Optional.empty();
        }
        long value = last;
        for (int i = 0; i < numbers.length - 1; i++) {
            value += numbers[i] << (8 * (3 - i));
        }
        return Optional.of(((value >> 24) & 0xff) + "." + ((value >> 16) & 0xff) + "." + ((value >> 8) & 0xff)
                + "." + (value & 0xff));
    }

    private static Long parsePart(String part) {
        String p = part.toLowerCase(Locale.ROOT);
        int radix = 10;
        if (p.startsWith("0x")) {
            radix = 16;
            p = p.substring(2);
            if (p.isEmpty()) {
                return 0L;
            }
        } else if (p.length() > 1 && p.startsWith("0")) {
            radix = 8;
            p = p.substring(1);
        }
        if (p.isEmpty() || p.length() > 12) {
            return null;
        }
        try {
            return Long.parseLong(p, radix);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
