package io.rewoo4j.runtime.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HubClient} against {@link LocalHub}, a real HTTP server on loopback speaking the hub's API. */
class HubClientTest {

    private static final String REPO = "TheBloke/bagel-8x7b-v0.2-GPTQ";
    private static final String BRANCH = "gptq-4bit-32g-actorder_True";
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private final LocalHub hub = newHub();
    private final byte[] weights = randomBytes(300_000, 1);
    private final byte[] config = "{\"model_type\":\"mixtral\"}".getBytes();
    private final byte[] tokenizer = randomBytes(5_000, 2);

    @TempDir
    Path dir;

    @BeforeEach
    void repository() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", config);
        files.put("model.safetensors", weights);
        files.put("tokenizer.model", tokenizer);
        files.put("README.md", "# bagel".getBytes());
        hub.add(REPO, BRANCH, new LocalHub.Repo(SHA, files, null));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubClient client() {
        return HubClient.builder().endpoint(hub.endpoint()).backoff(Duration.ZERO).attempts(3).build();
    }

    private static HubRepoRef ref() {
        return HubRepoRef.parse(REPO + ":" + BRANCH);
    }

    @Test
    void pullsEveryListedFileFromTheListedCommitFollowingTheCdnRedirect() throws Exception {
        PullResult result = client().pull(ref(), dir);

        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(Files.readAllBytes(dir.resolve("config.json"))).isEqualTo(config);
        assertThat(Files.readAllBytes(dir.resolve("tokenizer.model"))).isEqualTo(tokenizer);
        assertThat(result.commit()).isEqualTo(SHA);
        assertThat(result.downloaded()).containsExactly("config.json", "model.safetensors", "tokenizer.model", "README.md");
        assertThat(result.bytesTransferred()).isEqualTo(weights.length + config.length + tokenizer.length + 7);
        assertThat(hub.requests.get(0).path()).isEqualTo("/api/models/TheBloke/bagel-8x7b-v0.2-GPTQ/revision/" + BRANCH);
        // Files come from the commit the listing named, and the weights from the CDN the hub redirected to.
        assertThat(hub.requestsTo("hub")).extracting(LocalHub.Request::path)
                .contains("/TheBloke/bagel-8x7b-v0.2-GPTQ/resolve/" + SHA + "/model.safetensors");
        assertThat(hub.requestsTo("cdn")).extracting(LocalHub.Request::path).containsExactly("/repos/" + SHA + "/model.safetensors");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"));
        }
    }

    @Test
    void aStalledDownloadIsAbandonedAfterTheIdleTimeoutAndResumed() throws Exception {
        hub.stallAfter.put("model.safetensors", 100_000);
        List<PullProgress> events = new ArrayList<>();
        HubClient client = HubClient.builder().endpoint(hub.endpoint()).backoff(Duration.ZERO).attempts(3)
                .idleTimeout(Duration.ofMillis(300)).build();

        client.pull(ref(), dir, FileSelection.matching(List.of("*.safetensors")), events::add);

        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("cdn")).extracting(LocalHub.Request::range).containsExactly(null, "bytes=100000-");
        assertThat(events).extracting(PullProgress::stage).contains(PullProgress.Stage.RETRYING);
    }

    @Test
    void aDownloadThatKeepsStallingFailsNamingTheStall() {
        HubClient client = HubClient.builder().endpoint(hub.endpoint()).backoff(Duration.ZERO).attempts(1)
                .idleTimeout(Duration.ofMillis(200)).build();
        hub.stallAfter.put("model.safetensors", 50_000);

        assertThatThrownBy(() -> client.pull(ref(), dir, FileSelection.matching(List.of("*.safetensors")), e -> { }))
                .isInstanceOf(HubTransferException.class)
                .hasMessageContaining("no data arrived for 200 ms after 50000 bytes")
                .hasMessageContaining("run the pull again to resume from the 50000 bytes written");
    }

    @Test
    void theIdleTimeoutMustBePositive() {
        assertThatThrownBy(() -> HubClient.builder().idleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle timeout must be positive");
    }

    @Test
    void aDroppedConnectionIsResumedFromTheWrittenBytesAndTheFileIsByteIdentical() throws Exception {
        hub.dropAfter.put("model.safetensors", 120_000);
        List<PullProgress> events = new ArrayList<>();

        client().pull(ref(), dir, FileSelection.matching(List.of("*.safetensors")), events::add);

        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("cdn")).extracting(LocalHub.Request::range).containsExactly(null, "bytes=120000-");
        assertThat(events).extracting(PullProgress::stage).contains(PullProgress.Stage.RETRYING);
        PullProgress last = events.get(events.size() - 1);
        assertThat(last.stage()).isEqualTo(PullProgress.Stage.FINISHED);
        assertThat(last.bytesDone()).isEqualTo(weights.length).isEqualTo(last.bytesTotal());
    }

    @Test
    void anIncompleteFileFromAnEarlierPullIsContinuedWithARangeRequest() throws Exception {
        Files.writeString(dir.resolve(HubClient.COMMIT_MARKER), SHA + "\n");
        Files.write(dir.resolve("model.safetensors.incomplete"), java.util.Arrays.copyOf(weights, 200_000));

        client().pull(ref(), dir, FileSelection.matching(List.of("model.safetensors")), ProgressListener.NONE);

        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("cdn")).extracting(LocalHub.Request::range).containsExactly("bytes=200000-");
        assertThat(dir.resolve("model.safetensors.incomplete")).doesNotExist();
    }

    @Test
    void aServerThatIgnoresTheRangeRestartsTheFileCleanly() throws Exception {
        Files.writeString(dir.resolve(HubClient.COMMIT_MARKER), SHA + "\n");
        Files.write(dir.resolve("model.safetensors.incomplete"), java.util.Arrays.copyOf(weights, 100_000));
        hub.ignoreRange = true;

        client().pull(ref(), dir, FileSelection.matching(List.of("model.safetensors")), ProgressListener.NONE);

        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("cdn")).extracting(LocalHub.Request::range).containsExactly("bytes=100000-");
    }

    @Test
    void incompleteFilesOfAnotherCommitAreNotResumed() throws Exception {
        Files.writeString(dir.resolve(HubClient.COMMIT_MARKER), "an-older-commit\n");
        Files.write(dir.resolve("model.safetensors.incomplete"), new byte[100_000]);

        client().pull(ref(), dir, FileSelection.matching(List.of("model.safetensors")), ProgressListener.NONE);

        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("cdn")).extracting(LocalHub.Request::range).containsExactly((String) null);
        assertThat(Files.readString(dir.resolve(HubClient.COMMIT_MARKER)).strip()).isEqualTo(SHA);
    }

    @Test
    void filesAlreadyCompleteAreSkippedWithoutARequest() throws Exception {
        client().pull(ref(), dir);
        hub.requests.clear();
        List<PullProgress> events = new ArrayList<>();

        PullResult again = client().pull(ref(), dir, FileSelection.all(), events::add);

        assertThat(hub.requests).hasSize(1).allMatch(r -> r.path().startsWith("/api/models/"));
        assertThat(again.downloaded()).isEmpty();
        assertThat(again.skipped()).hasSize(4);
        assertThat(events).extracting(PullProgress::stage).containsOnly(PullProgress.Stage.SKIPPED);
    }

    @Test
    void aFileOfTheWrongSizeIsFetchedAgain() throws Exception {
        Files.write(dir.resolve("config.json"), "{}".getBytes());

        PullResult result = client().pull(ref(), dir, FileSelection.matching(List.of("*.json")), ProgressListener.NONE);

        assertThat(result.downloaded()).containsExactly("config.json");
        assertThat(Files.readAllBytes(dir.resolve("config.json"))).isEqualTo(config);
    }

    @Test
    void onlyTheSelectedFilesArePulled() throws Exception {
        PullResult result = client().pull(ref(), dir, FileSelection.matching(List.of("*.json", "tokenizer.model")),
                ProgressListener.NONE);

        assertThat(result.downloaded()).containsExactly("config.json", "tokenizer.model");
        assertThat(dir.resolve("model.safetensors")).doesNotExist();
        assertThat(hub.requestsTo("cdn")).isEmpty();
    }

    @Test
    void aSelectionMatchingNothingNamesTheListedFiles() {
        assertThatThrownBy(() -> client().pull(ref(), dir, FileSelection.matching(List.of("*.gguf")), ProgressListener.NONE))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("*.gguf").hasMessageContaining("model.safetensors");
    }

    @Test
    void aGatedRepositoryWithoutATokenSaysToSetHfToken() {
        hub.add("meta/gated", "main", new LocalHub.Repo(SHA, Map.of("config.json", config), "hf_secret"));

        assertThatThrownBy(() -> client().pull(HubRepoRef.parse("meta/gated"), dir))
                .isInstanceOfSatisfying(HubAccessDeniedException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.tokenSent()).isFalse();
                })
                .hasMessageContaining("'meta/gated'").hasMessageContaining("set HF_TOKEN");
        assertThat(hub.requests).extracting(LocalHub.Request::authorization).containsOnlyNulls();
    }

    @Test
    void theTokenGoesToTheHubAsBearerButNeverToTheCdn() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", config);
        files.put("model.safetensors", weights);
        hub.add("meta/gated", "main", new LocalHub.Repo(SHA, files, "hf_secret"));
        HubClient client = HubClient.builder().environment(Map.of("HF_TOKEN", "hf_secret", "HF_ENDPOINT", hub.endpoint() + "/"))
                .backoff(Duration.ZERO).build();

        client.pull(HubRepoRef.parse("meta/gated"), dir);

        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("hub")).isNotEmpty().extracting(LocalHub.Request::authorization).containsOnly("Bearer hf_secret");
        assertThat(hub.requestsTo("cdn")).hasSize(1).extracting(LocalHub.Request::authorization).containsOnlyNulls();
    }

    @Test
    void anUnknownRevisionIsNamed() {
        assertThatThrownBy(() -> client().pull(HubRepoRef.parse(REPO + ":gptq-4bit-64g-actorder_False"), dir))
                .isInstanceOfSatisfying(HubNotFoundException.class,
                        e -> assertThat(e.missing()).isEqualTo(HubNotFoundException.Missing.REVISION))
                .hasMessageContaining("'gptq-4bit-64g-actorder_False'").hasMessageContaining("'" + REPO + "'");
    }

    @Test
    void anUnknownRepositoryIsNamed() {
        assertThatThrownBy(() -> client().snapshot(HubRepoRef.parse("nobody/nothing")))
                .isInstanceOfSatisfying(HubNotFoundException.class,
                        e -> assertThat(e.missing()).isEqualTo(HubNotFoundException.Missing.REPOSITORY))
                .hasMessageContaining("'nobody/nothing' not found");
    }

    @Test
    void serverErrorsAreRetried() throws Exception {
        hub.listingFailures.set(2);

        RepoSnapshot snapshot = client().snapshot(ref());

        assertThat(snapshot.commit()).isEqualTo(SHA);
        assertThat(hub.requests).hasSize(3);
    }

    @Test
    void anUnreachableHubFailsAfterTheRetriesWithTheReason() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort(); // free once closed: connections to it are refused
        }
        HubClient client = HubClient.builder().endpoint("http://127.0.0.1:" + port).backoff(Duration.ZERO).attempts(3).build();

        assertThatThrownBy(() -> client.pull(ref(), dir))
                .isInstanceOf(HubTransferException.class)
                .hasMessageContaining("after 3 attempts").hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void sizesMissingFromTheListingAreReadFromTheResolveHeaders() throws Exception {
        hub.listSizes = false;
        List<PullProgress> events = new ArrayList<>();

        client().pull(ref(), dir, FileSelection.matching(List.of("*.safetensors", "*.json")), events::add);

        assertThat(hub.requestsTo("hub")).extracting(LocalHub.Request::method).contains("HEAD");
        assertThat(events.get(0).bytesTotal()).isEqualTo(weights.length + config.length);
        assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void aListingThatEscapesTheFolderIsRefused() {
        hub.add("evil/repo", "main", new LocalHub.Repo(SHA, Map.of("../outside.json", config), null));

        assertThatThrownBy(() -> client().pull(HubRepoRef.parse("evil/repo"), dir.resolve("m")))
                .isInstanceOf(HubProtocolException.class).hasMessageContaining("unsafe path");
        assertThat(dir.resolve("outside.json")).doesNotExist();
    }

    @Test
    void revisionsAndFileNamesArePercentEncodedInUrls() {
        HubClient client = HubClient.builder().endpoint("https://hub.example/").build();

        assertThat(client.resolveUri(HubRepoRef.parse("a/b:refs/pr/1"), "refs/pr/1", "sub dir/x+y.json").toString())
                .isEqualTo("https://hub.example/a/b/resolve/refs%2Fpr%2F1/sub%20dir/x%2By.json");
    }

    @Test
    void theEnvironmentSetsEndpointAndTokenAndExplicitSettingsWin() {
        HubClient fromEnv = HubClient.builder().environment(Map.of("HF_ENDPOINT", "https://mirror.example", "HF_TOKEN", "t")).build();
        HubClient overridden = HubClient.builder().environment(Map.of("HF_ENDPOINT", "https://mirror.example"))
                .endpoint("http://127.0.0.1:1").build();
        HubClient plain = HubClient.builder().environment(Map.of()).build();

        assertThat(fromEnv.endpoint()).hasToString("https://mirror.example");
        assertThat(fromEnv.hasToken()).isTrue();
        assertThat(overridden.endpoint()).hasToString("http://127.0.0.1:1");
        assertThat(plain.endpoint()).isEqualTo(HubClient.DEFAULT_ENDPOINT);
        assertThat(plain.hasToken()).isFalse();
    }

    private static LocalHub newHub() {
        try {
            return new LocalHub();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
