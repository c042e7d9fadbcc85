package io.rewoo4j.runtime.hub;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the hub on loopback: the revision listing, resolve URLs (small files served directly, large ones
 * redirected to a second server playing the CDN), Range requests, and faults on demand. Records every request.
 */
final class LocalHub implements AutoCloseable {

    /** One request as a server saw it. */
    record Request(String server, String method, String path, String range, String authorization) {
    }

    record Repo(String sha, Map<String, byte[]> files, String requiredToken) {
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Map<String, Map<String, Repo>> repos = new ConcurrentHashMap<>();
    /** File name → bytes after which the next GET of it drops the connection (once each). */
    final Map<String, Integer> dropAfter = new ConcurrentHashMap<>();
    /** File name → bytes after which the next GET of it stops sending but keeps the connection open (once each). */
    final Map<String, Integer> stallAfter = new ConcurrentHashMap<>();
    /** Released when the hub closes: ends every stalled response. */
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    /** Answer 503 to this many listing requests before answering properly. */
    final AtomicInteger listingFailures = new AtomicInteger();
    volatile boolean ignoreRange;
    volatile boolean listSizes = true;

    private final HttpServer hub;
    private final HttpServer cdn;

    LocalHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        // a stalled response holds its thread: the others must still be served
        hub.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        cdn.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hub.start();
        cdn.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    void add(String repoId, String revision, Repo repo) {
        repos.computeIfAbsent(repoId, k -> new ConcurrentHashMap<>()).put(revision, repo);
    }

    List<Request> requestsTo(String server) {
        return requests.stream().filter(r -> r.server().equals(server)).toList();
    }

    List<Request> fileRequests() {
        return requests.stream().filter(r -> !r.path().startsWith("/api/")).toList();
    }

    private static final Pattern LISTING = Pattern.compile("/api/models/([^/]+)/([^/]+)/revision/([^/?]+)");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+)/([^/]+)/resolve/([^/]+)/(.+)");

    private void hub(HttpExchange exchange) throws IOException {
        try (exchange) {
            String rawPath = exchange.getRequestURI().getRawPath();
            record("hub", exchange);
            Matcher listing = LISTING.matcher(rawPath);
            Matcher resolve = RESOLVE.matcher(rawPath);
            if (listing.matches()) {
                if (listingFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    send(exchange, 503, Map.of(), new byte[0]);
                    return;
                }
                Repo repo = lookUp(exchange, listing.group(1) + "/" + listing.group(2), decode(listing.group(3)));
                if (repo != null) {
                    send(exchange, 200, Map.of("Content-Type", "application/json"), listingJson(repo).getBytes(StandardCharsets.UTF_8));
                }
            } else if (resolve.matches()) {
                Repo repo = lookUp(exchange, resolve.group(1) + "/" + resolve.group(2), decode(resolve.group(3)));
                if (repo == null) {
                    return;
                }
                String file = decode(resolve.group(4));
                byte[] bytes = repo.files().get(file);
                if (bytes == null) {
                    send(exchange, 404, Map.of("X-Error-Code", "EntryNotFound"), new byte[0]);
                } else if (file.endsWith(".safetensors")) {
                    // Large files live on the CDN: the hub answers with a redirect and the file's real size and hash.
                    send(exchange, 302, Map.of(
                            "Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/repos/" + repo.sha() + "/" + resolve.group(4),
                            "X-Repo-Commit", repo.sha(),
                            "X-Linked-Size", Long.toString(bytes.length),
                            "X-Linked-Etag", "\"sha256-" + file + "\""), null);
                } else {
                    serveRange(exchange, bytes, Map.of("X-Repo-Commit", repo.sha(), "ETag", "\"" + file + "\""));
                }
            } else {
                send(exchange, 404, Map.of(), new byte[0]);
            }
        }
    }

    private void cdn(HttpExchange exchange) throws IOException {
        try (exchange) {
            record("cdn", exchange);
            String[] parts = exchange.getRequestURI().getRawPath().split("/", 4); // "", "repos", sha, file
            String file = decode(parts[3]);
            byte[] bytes = repos.values().stream().flatMap(m -> m.values().stream())
                    .filter(r -> r.sha().equals(parts[2])).map(r -> r.files().get(file)).findFirst().orElse(null);
            if (bytes == null) {
                send(exchange, 404, Map.of(), new byte[0]);
            } else {
                serveRange(exchange, bytes, Map.of("ETag", "\"cdn-" + file + "\""));
            }
        }
    }

    private Repo lookUp(HttpExchange exchange, String repoId, String revision) throws IOException {
        Map<String, Repo> revisions = repos.get(repoId);
        if (revisions == null) {
            send(exchange, 404, Map.of("X-Error-Code", "RepoNotFound", "X-Error-Message", "Repository not found"), new byte[0]);
            return null;
        }
        Repo repo = revisions.get(revision);
        if (repo == null) {
            repo = revisions.values().stream().filter(r -> r.sha().equals(revision)).findFirst().orElse(null);
        }
        if (repo == null) {
            send(exchange, 404, Map.of("X-Error-Code", "RevisionNotFound", "X-Error-Message", "Invalid rev id: " + revision), new byte[0]);
            return null;
        }
        if (repo.requiredToken() != null
                && !("Bearer " + repo.requiredToken()).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, Map.of("X-Error-Code", "GatedRepo", "X-Error-Message", "Access to model " + repoId + " is restricted."), new byte[0]);
            return null;
        }
        return repo;
    }

    private void serveRange(HttpExchange exchange, byte[] bytes, Map<String, String> headers) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        int from = 0;
        int status = 200;
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Accept-Ranges", "bytes");
        if (range != null && !ignoreRange) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches()) {
                send(exchange, 400, Map.of(), new byte[0]);
                return;
            }
            from = Integer.parseInt(m.group(1));
            if (from >= bytes.length) {
                all.put("Content-Range", "bytes */" + bytes.length);
                send(exchange, 416, all, new byte[0]);
                return;
            }
            status = 206;
            all.put("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            all.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.getResponseHeaders().add("Content-Length", Integer.toString(bytes.length - from));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        all.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        int length = bytes.length - from;
        String file = exchange.getRequestURI().getRawPath().substring(exchange.getRequestURI().getRawPath().lastIndexOf('/') + 1);
        Integer drop = dropAfter.remove(decode(file));
        if (drop != null) {
            // The connection ends after `drop` bytes of a longer file: sent without a length so that this server
            // really stops there; the client knows the size from the listing and must resume from what it wrote.
            exchange.sendResponseHeaders(status, 0);
            exchange.getResponseBody().write(bytes, from, drop);
            return;
        }
        Integer stall = stallAfter.remove(decode(file));
        if (stall != null) {
            // The first `stall` bytes, then nothing: the connection stays open until the hub closes.
            exchange.sendResponseHeaders(status, length);
            exchange.getResponseBody().write(bytes, from, stall);
            exchange.getResponseBody().flush();
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        OutputStream body = exchange.getResponseBody();
        body.write(bytes, from, length);
    }

    private String listingJson(Repo repo) {
        List<String> siblings = new ArrayList<>();
        repo.files().forEach((name, bytes) -> siblings.add("{\"rfilename\":\"" + name + "\""
                + (listSizes ? ",\"size\":" + bytes.length : "") + "}"));
        return "{\"id\":\"x\",\"sha\":\"" + repo.sha() + "\",\"siblings\":[" + String.join(",", siblings) + "]}";
    }

    private void record(String server, HttpExchange exchange) {
        requests.add(new Request(server, exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestHeaders().getFirst("Range"), exchange.getRequestHeaders().getFirst("Authorization")));
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(status, body == null || body.length == 0 ? -1 : body.length);
        if (body != null && body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closing.countDown();
        hub.stop(0);
        cdn.stop(0);
    }
}
