package io.rewoo4j.runtime.hub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pulls a model repository revision from the Hugging Face hub (or anything speaking its HTTP API) into a folder.
 *
 * <p>The revision is listed once ({@code GET /api/models/{repo}/revision/{revision}?blobs=true}: its commit and its
 * files with their sizes) and every file is then fetched from that commit
 * ({@code GET /{repo}/resolve/{commit}/{file}}), so a branch that moves during a pull cannot mix two commits.
 * Files already on disk with the listed size are skipped without a request; the others are resumed from their
 * {@code FILE.incomplete}. Network failures and 429/5xx answers are retried with exponential backoff.
 *
 * <p>The token ({@code HF_TOKEN}) is sent as {@code Authorization: Bearer} to the hub's own origin only, never to
 * the CDN that large files redirect to.
 */
public final class HubClient {

    /** The public hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** Written in the target folder: the commit its files (and {@code .incomplete} files) come from. */
    static final String COMMIT_MARKER = ".rewoo4j-commit";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI endpoint;
    private final HubTransport transport;
    private final Backoff backoff;
    private final Duration idleTimeout;

    private HubClient(Builder builder) {
        this.endpoint = builder.endpoint;
        this.transport = new HubTransport(endpoint, builder.token, builder.connectTimeout, builder.responseTimeout);
        this.backoff = new Backoff(builder.attempts, builder.backoff);
        this.idleTimeout = builder.idleTimeout;
    }

    /** A client configured from {@code HF_ENDPOINT} and {@code HF_TOKEN} of this process's environment. */
    public static HubClient fromEnvironment() {
        return builder().environment(System.getenv()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Whether requests to the hub carry a token. */
    public boolean hasToken() {
        return transport.hasToken();
    }

    /** The revision's commit and the files it lists. */
    public RepoSnapshot snapshot(HubRepoRef ref) throws IOException {
        URI uri = URI.create(endpoint + "/api/models/" + encode(ref.owner()) + "/" + encode(ref.name())
                + "/revision/" + encode(ref.revision()) + "?blobs=true");
        String body = retrying(() -> {
            HubTransport.Reply<String> reply = transport.send("GET", uri, Map.of("Accept", "application/json"),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), false);
            HubErrors.check(reply, ref, null, endpoint.toString());
            return reply.response().body();
        });
        return parseSnapshot(ref, body);
    }

    /** Pulls every file of the revision into {@code directory}. */
    public PullResult pull(HubRepoRef ref, Path directory) throws IOException {
        return pull(ref, directory, FileSelection.all(), ProgressListener.NONE);
    }

    /**
     * Pulls the selected files of the revision into {@code directory} (created if missing), keeping their paths.
     *
     * @throws HubAccessDeniedException 401/403: private or gated, set {@code HF_TOKEN}
     * @throws HubNotFoundException     the repository, revision or (with a selection) any matching file is missing
     * @throws HubTransferException     the network failed on every retry, or a file's size is wrong
     * @throws HubProtocolException     the server's answer made no sense
     */
    public PullResult pull(HubRepoRef ref, Path directory, FileSelection selection, ProgressListener listener)
            throws IOException {
        RepoSnapshot snapshot = snapshot(ref);
        List<RepoFile> selected = snapshot.files().stream().filter(f -> selection.includes(f.path())).toList();
        if (selected.isEmpty()) {
            throw new HubNotFoundException("no file of " + ref + " matches " + selection + "; it lists: "
                    + String.join(", ", snapshot.files().stream().map(RepoFile::path).toList()),
                    HubNotFoundException.Missing.FILE);
        }
        Files.createDirectories(directory);
        forgetPartialsOfOtherCommits(directory, snapshot.commit());

        long[] sizes = new long[selected.size()];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            RepoFile file = selected.get(i);
            sizes[i] = file.size().isPresent() ? file.size().getAsLong() : sizeFromServer(ref, snapshot.commit(), file.path());
            total = total < 0 || sizes[i] < 0 ? -1 : total + sizes[i];
        }

        FileDownload download = new FileDownload(transport, backoff, ref, endpoint.toString(), idleTimeout);
        List<String> downloaded = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        long done = 0;
        long transferred = 0;
        int count = selected.size();
        for (int i = 0; i < count; i++) {
            String path = selected.get(i).path();
            Path target = directory.resolve(path);
            long size = sizes[i];
            int index = i + 1;
            long before = done;
            long bytesTotal = total;
            if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
                done += size;
                skipped.add(path);
                listener.onProgress(new PullProgress(PullProgress.Stage.SKIPPED, path, index, count, size, size, done, total));
                continue;
            }
            long[] fileBytes = {0};
            listener.onProgress(new PullProgress(PullProgress.Stage.STARTED, path, index, count, 0, size, before, total));
            transferred += download.fetch(path, resolveUri(ref, snapshot.commit(), path), target, size,
                    bytes -> {
                        fileBytes[0] = bytes;
                        listener.onProgress(new PullProgress(PullProgress.Stage.TRANSFERRING, path, index, count, bytes, size,
                                before + bytes, bytesTotal));
                    },
                    () -> listener.onProgress(new PullProgress(PullProgress.Stage.RETRYING, path, index, count, fileBytes[0],
                            size, before + fileBytes[0], bytesTotal)));
            long actual = Files.size(target);
            done += actual;
            downloaded.add(path);
            listener.onProgress(new PullProgress(PullProgress.Stage.FINISHED, path, index, count, actual, actual, done, total));
        }
        return new PullResult(directory, snapshot.commit(), downloaded, skipped, transferred);
    }

    /** {@code {endpoint}/{owner}/{name}/resolve/{revision}/{file}}, each part percent-encoded ({@code /} kept in the file's path). */
    URI resolveUri(HubRepoRef ref, String revision, String file) {
        StringBuilder path = new StringBuilder();
        for (String segment : file.split("/", -1)) {
            path.append('/').append(encode(segment));
        }
        return URI.create(endpoint + "/" + encode(ref.owner()) + "/" + encode(ref.name()) + "/resolve/" + encode(revision) + path);
    }

    /** A file's size from the resolve URL's headers ({@code X-Linked-Size} for large files), -1 if it gives none. */
    private long sizeFromServer(HubRepoRef ref, String commit, String file) throws IOException {
        URI uri = resolveUri(ref, commit, file);
        return retrying(() -> {
            HubTransport.Reply<Void> reply = transport.send("HEAD", uri, Map.of("Accept-Encoding", "identity"),
                    HttpResponse.BodyHandlers.discarding(), false);
            int status = reply.status();
            var headers = reply.response().headers();
            OptionalLong linked = headers.firstValueAsLong("X-Linked-Size");
            if (linked.isPresent()) {
                return linked.getAsLong();
            }
            if (status >= 300 && status < 400) {
                return -1L;
            }
            HubErrors.check(reply, ref, file, endpoint.toString());
            return headers.firstValueAsLong("Content-Length").orElse(-1);
        });
    }

    /** A {@code .incomplete} file written for another commit of the branch must not be resumed with this one's bytes. */
    private static void forgetPartialsOfOtherCommits(Path directory, String commit) throws IOException {
        Path marker = directory.resolve(COMMIT_MARKER);
        String previous = Files.exists(marker) ? Files.readString(marker).strip() : null;
        if (previous != null && !previous.equals(commit)) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path p : files.filter(p -> p.getFileName().toString().endsWith(FileDownload.INCOMPLETE_SUFFIX)).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (!commit.equals(previous)) {
            Files.writeString(marker, commit + "\n");
        }
    }

    private RepoSnapshot parseSnapshot(HubRepoRef ref, String body) throws HubProtocolException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new HubProtocolException("the listing of " + ref + " is not JSON: " + e.getOriginalMessage(), 200);
        }
        if (root == null || !root.isObject() || !root.path("sha").isString() || !root.path("siblings").isArray()) {
            throw new HubProtocolException("the listing of " + ref + " has no 'sha' and 'siblings'", 200);
        }
        List<RepoFile> files = new ArrayList<>();
        for (JsonNode sibling : root.get("siblings")) {
            JsonNode name = sibling.path("rfilename");
            if (!name.isString()) {
                throw new HubProtocolException("a sibling in the listing of " + ref + " has no 'rfilename'", 200);
            }
            String path = name.asString();
            if (!isSafeRelativePath(path)) {
                throw new HubProtocolException("the listing of " + ref + " names an unsafe path: '" + path + "'", 200);
            }
            JsonNode size = sibling.path("size");
            files.add(new RepoFile(path, size.canConvertToLong() && size.asLong() >= 0 ? OptionalLong.of(size.asLong())
                    : OptionalLong.empty()));
        }
        return new RepoSnapshot(ref, root.get("sha").asString(), files);
    }

    /** Relative, forward slashes, no empty, {@code .} or {@code ..} segment: it cannot leave the target folder. */
    static boolean isSafeRelativePath(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.indexOf(':') >= 0 || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters (so {@code /} in {@code refs/pr/1} too). */
    static String encode(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private interface Attempt<T> {
        T run() throws IOException;
    }

    private <T> T retrying(Attempt<T> attempt) throws IOException {
        for (int failures = 1; ; failures++) {
            try {
                return attempt.run();
            } catch (HubException e) {
                throw e;
            } catch (java.io.InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (failures >= backoff.attempts()) {
                    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    throw new HubTransferException("cannot reach " + endpoint + " after " + failures
                            + (failures == 1 ? " attempt: " : " attempts: ") + reason,
                            e instanceof HubErrors.RetryableStatusException r ? r.status : 0, e);
                }
                backoff.pause(failures);
            }
        }
    }

    /** Settings; {@link #environment} reads {@code HF_ENDPOINT} and {@code HF_TOKEN}, explicit setters win over it. */
    public static final class Builder {
        private URI endpoint = DEFAULT_ENDPOINT;
        private String token;
        private int attempts = 5;
        private Duration backoff = Duration.ofSeconds(1);
        private Duration connectTimeout = Duration.ofSeconds(20);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * Takes {@code HF_ENDPOINT} and {@code HF_TOKEN} (or the older {@code HUGGING_FACE_HUB_TOKEN}) from
         * {@code env}, where set and not blank. Call before the explicit setters that should override them.
         */
        public Builder environment(Map<String, String> env) {
            String url = env.get("HF_ENDPOINT");
            if (url != null && !url.isBlank()) {
                endpoint(url);
            }
            String hfToken = env.get("HF_TOKEN");
            String legacy = env.get("HUGGING_FACE_HUB_TOKEN");
            token(hfToken != null && !hfToken.isBlank() ? hfToken : legacy);
            return this;
        }

        public Builder endpoint(String url) {
            return endpoint(URI.create(url.strip()));
        }

        public Builder endpoint(URI url) {
            String text = url.toString();
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            URI normalized = URI.create(text);
            if (normalized.getHost() == null || !(normalized.getScheme().equalsIgnoreCase("https")
                    || normalized.getScheme().equalsIgnoreCase("http"))) {
                throw new IllegalArgumentException("the hub endpoint must be an http(s) URL: " + url);
            }
            this.endpoint = normalized;
            return this;
        }

        /** The access token; null or blank for none. */
        public Builder token(String token) {
            this.token = token == null || token.isBlank() ? null : token.strip();
            return this;
        }

        /** Tries per request or per stalled file (default 5). */
        public Builder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        /** The wait before the first retry, doubled for each further one (default 1 s). */
        public Builder backoff(Duration initial) {
            this.backoff = initial;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long to wait for a response's headers (the body has no overall limit: model files are large; see
         *  {@link #idleTimeout} for a body that stops arriving). */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = timeout;
            return this;
        }

        /**
         * How long a download may receive no bytes before the attempt is abandoned and resumed from what was written
         * (default 60 s): a stalled connection costs this much, not the whole pull.
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the idle timeout must be positive, got " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        public HubClient build() {
            return new HubClient(this);
        }
    }
}
