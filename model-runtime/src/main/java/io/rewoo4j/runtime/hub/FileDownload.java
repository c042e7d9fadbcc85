package io.rewoo4j.runtime.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file's transfer into {@code FILE.incomplete}, resumed with {@code Range: bytes=N-} after a failure or an
 * earlier interrupted pull, then checked against the announced size and moved into place. A server that ignores
 * the range (200 instead of 206) restarts the file from its first byte. A body that delivers nothing for the idle
 * timeout is abandoned (a watchdog closes the body stream, which ends the blocked read with an error; the HTTP
 * client's stream ignores interrupts) and resumed like a dropped connection.
 */
final class FileDownload {

    static final String INCOMPLETE_SUFFIX = ".incomplete";
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int BUFFER = 1 << 16;

    private final HubTransport transport;
    private final Backoff backoff;
    private final HubRepoRef ref;
    private final String endpoint;
    private final Duration idleTimeout;

    /** Checks the transfers in progress for stalls; one daemon thread for the process. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rewoo4j-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    FileDownload(HubTransport transport, Backoff backoff, HubRepoRef ref, String endpoint, Duration idleTimeout) {
        this.transport = transport;
        this.backoff = backoff;
        this.ref = ref;
        this.endpoint = endpoint;
        this.idleTimeout = idleTimeout;
    }

    /** Where a file's bytes are written until it is complete. */
    static Path incompletePath(Path target) {
        return target.resolveSibling(target.getFileName() + INCOMPLETE_SUFFIX);
    }

    /**
     * Downloads {@code file} from {@code uri} to {@code target}.
     *
     * @param expected the announced size, or -1 when unknown (then the response's length is trusted)
     * @param onBytes  told the file's bytes on disk whenever they change
     * @param onRetry  told before each retry
     * @return the bytes transferred by this call (resumed bytes not counted)
     */
    long fetch(String file, URI uri, Path target, long expected, LongConsumer onBytes, Runnable onRetry) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path part = incompletePath(target);
        long transferred = 0;
        int failures = 0;
        long size = expected;
        while (true) {
            long have = Files.exists(part) ? Files.size(part) : 0;
            if (size >= 0 && have > size) {
                Files.delete(part);
                have = 0;
            }
            if (size >= 0 && have == size) {
                break;
            }
            try {
                long[] announced = {size};
                transferOnce(file, uri, part, have, announced, onBytes);
                size = announced[0];
                long now = Files.size(part);
                transferred += now - have;
                if (size < 0 || now == size) {
                    break;
                }
                // The stream ended cleanly but short (a proxy that closed early): resume like any other failure.
                throw new IOException("the connection closed after " + now + " of " + size + " bytes");
            } catch (HubException e) {
                throw e;
            } catch (IOException e) {
                long now = Files.exists(part) ? Files.size(part) : 0;
                if (now > have) {
                    transferred += Math.max(0, now - have);
                    failures = 0; // it moved forward: a long, flaky transfer gets a fresh budget for each stall
                }
                failures++;
                if (failures >= backoff.attempts()) {
                    throw new HubTransferException("downloading '" + file + "' of " + ref + " failed after " + failures
                            + (failures == 1 ? " attempt: " : " attempts: ") + describe(e)
                            + "; run the pull again to resume from the " + now + " bytes written",
                            e instanceof HubErrors.RetryableStatusException r ? r.status : 0, e);
                }
                onRetry.run();
                backoff.pause(failures);
            }
        }
        if (!Files.exists(part)) {
            Files.createFile(part); // an empty file: nothing was requested or the body was empty
        }
        moveIntoPlace(part, target);
        return transferred;
    }

    private void transferOnce(String file, URI uri, Path part, long have, long[] size, LongConsumer onBytes)
            throws IOException {
        Map<String, String> headers = have > 0
                ? Map.of("Accept-Encoding", "identity", "Range", "bytes=" + have + "-")
                : Map.of("Accept-Encoding", "identity");
        HubTransport.Reply<InputStream> reply = transport.send("GET", uri, headers, HttpResponse.BodyHandlers.ofInputStream(), true);
        HttpResponse<InputStream> response = reply.response();
        int status = reply.status();
        boolean append;
        if (status == 206 && have > 0) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            Matcher m = CONTENT_RANGE.matcher(range);
            if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                HubTransport.discard(response);
                Files.deleteIfExists(part);
                throw new IOException("the server resumed at '" + range + "' instead of byte " + have + "; restarting the file");
            }
            if (size[0] < 0 && !m.group(3).equals("*")) {
                size[0] = Long.parseLong(m.group(3));
            }
            append = true;
        } else if (status == 200 || status == 206) {
            append = false; // the range was ignored: start the file again rather than append a second copy
            if (size[0] < 0) {
                size[0] = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            }
        } else if (status == 416) {
            HubTransport.discard(response);
            Files.deleteIfExists(part);
            throw new IOException("the server cannot resume at byte " + have + " (HTTP 416); restarting the file");
        } else {
            HubErrors.check(reply, ref, file, endpoint);
            throw new HubProtocolException("unexpected HTTP " + status + " for '" + file + "' from " + response.uri(), status);
        }
        long written = append ? have : 0;
        onBytes.accept(written);
        InputStream body = response.body();
        IdleWatch watch = new IdleWatch(body, idleTimeout.toNanos());
        try (InputStream in = body;
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            watch.start();
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                watch.progress();
                if (size[0] >= 0 && written + n > size[0]) {
                    out.close();
                    Files.deleteIfExists(part);
                    throw new HubTransferException("'" + file + "' of " + ref + " is larger than the announced "
                            + size[0] + " bytes; the partial file was removed", 0, null);
                }
                out.write(buffer, 0, n);
                written += n;
                onBytes.accept(written);
            }
        } catch (IOException e) {
            if (watch.stop()) {
                throw new IOException("no data arrived for " + idleTimeout.toMillis() + " ms after " + written
                        + " bytes", e);
            }
            throw e;
        } finally {
            watch.stop();
        }
    }

    /**
     * Closes the body stream when no bytes have arrived for {@code idleNanos}; the blocked read then fails with an
     * {@link IOException}. {@link #stop} ends the watch and says whether it fired.
     */
    private static final class IdleWatch {
        private final java.io.Closeable body;
        private final long idleNanos;
        private volatile long lastProgress = System.nanoTime();
        private ScheduledFuture<?> check;
        private boolean stopped;
        private boolean fired;

        IdleWatch(java.io.Closeable body, long idleNanos) {
            this.body = body;
            this.idleNanos = idleNanos;
        }

        synchronized void start() {
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), idleNanos / 4);
            check = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.NANOSECONDS);
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        private synchronized void check() {
            if (!stopped && !fired && System.nanoTime() - lastProgress > idleNanos) {
                fired = true;
                try {
                    body.close();
                } catch (IOException | RuntimeException e) {
                    // the reader sees the stream closed either way
                }
            }
        }

        synchronized boolean stop() {
            if (!stopped) {
                stopped = true;
                if (check != null) {
                    check.cancel(false);
                }
            }
            return fired;
        }
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
