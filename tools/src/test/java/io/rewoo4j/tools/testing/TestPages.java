package io.rewoo4j.tools.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Saved pages from the test resources. */
public final class TestPages {

    private TestPages() {
    }

    /** A resource as UTF-8 text, e.g. {@code duckduckgo/ddg-html_foo_uddg-wrapped.html}. */
    public static String text(String path) {
        try (InputStream in = TestPages.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
