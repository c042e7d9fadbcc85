package io.rewoo4j.tools;

import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.tools.http.BlockedAddressException;
import io.rewoo4j.tools.http.FetchStatusException;
import io.rewoo4j.tools.http.FetchTimeoutException;
import io.rewoo4j.tools.http.FetchIoException;
import io.rewoo4j.tools.search.DuckDuckGoException;
import io.rewoo4j.tools.scrape.AllLinksFailedException;

/**
 * Maps the built-in tools' own exceptions to {@link ToolException}s, deciding what is worth retrying: a timeout, an
 * I/O error, a rate limit or a server error may pass; a blocked address, a malformed URL, an unsupported content
 * type or a client error will not.
 */
public final class ToolErrors {

    private ToolErrors() {
    }

    public static ToolException toToolException(String tool, Throwable error) {
        if (error instanceof ToolException t) {
            return t;
        }
        return new ToolException(tool + ": " + error.getMessage(), retryable(error), error);
    }

    static boolean retryable(Throwable error) {
        if (error instanceof DuckDuckGoException d) {
            return d.isRetryable();
        }
        if (error instanceof FetchStatusException s) {
            return s.isTooManyRequests() || s.isServerError();
        }
        if (error instanceof AllLinksFailedException all) {
            return all.failures().stream().anyMatch(f -> retryable(f.error()));
        }
        if (error instanceof BlockedAddressException) {
            return false;
        }
        return error instanceof FetchTimeoutException || error instanceof FetchIoException;
    }
}
