package io.rewoo4j.config.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rewoo4j.runtime.hub.PullProgress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rewoo model pull} against a minimal hub on loopback: one public and one gated repository. */
class ModelPullCommandTest {

    private static final String SHA = "feedface00000000000000000000000000000000";
    private static final byte[] CONFIG = "{\"model_type\":\"llama\"}".getBytes(StandardCharsets.UTF_8);

    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "none" : auth);
            boolean gated = path.contains("/gated/");
            if (gated && !"Bearer hf_cli".equals(auth)) {
                exchange.getResponseHeaders().add("X-Error-Code", "GatedRepo");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body;
            if (path.matches("/api/models/[^/]+/[^/]+/revision/main")) {
                body = ("{\"sha\":\"" + SHA + "\",\"siblings\":[{\"rfilename\":\"config.json\",\"size\":" + CONFIG.length + "}]}")
                        .getBytes(StandardCharsets.UTF_8);
            } else if (path.matches("/[^/]+/[^/]+/resolve/" + SHA + "/config.json")) {
                body = CONFIG;
            } else {
                exchange.getResponseHeaders().add("X-Error-Code", "RevisionNotFound");
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private int run(Map<String, String> env, String... args) {
        ModelPullCommand command = new ModelPullCommand();
        command.environment = env;
        command.terminal = false;
        command.backoff = Duration.ZERO;
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void pullsIntoTheFolderAndPrintsItsPath() throws IOException {
        Path target = dir.resolve("model");

        int code = run(Map.of("HF_ENDPOINT", endpoint()), "acme/tiny", "--dir", target.toString());

        assertThat(code).isZero();
        assertThat(out.toString()).isEqualTo(target.toAbsolutePath() + System.lineSeparator());
        assertThat(Files.readAllBytes(target.resolve("config.json"))).isEqualTo(CONFIG);
        assertThat(err.toString()).contains("[1/1] config.json: done").contains("1 downloaded");
    }

    @Test
    void aMalformedRepositoryIsBadInput() {
        int code = run(Map.of(), "not-a-repo", "--dir", dir.toString());

        assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains("OWNER/NAME[:REVISION]");
        assertThat(out.toString()).isEmpty();
        assertThat(authorizations).isEmpty();
    }

    @Test
    void anUnknownRevisionFailsNamingIt() {
        int code = run(Map.of(), "acme/tiny:gptq-4bit-32g-actorder_True", "--endpoint", endpoint(), "--dir", dir.toString());

        assertThat(code).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("revision 'gptq-4bit-32g-actorder_True' not found in repository 'acme/tiny'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aGatedRepositoryNeedsHfTokenAndSucceedsWithIt() throws IOException {
        int refused = run(Map.of(), "acme/gated", "--endpoint", endpoint(), "--dir", dir.toString());

        assertThat(refused).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("set HF_TOKEN");

        authorizations.clear();
        int granted = run(Map.of("HF_TOKEN", "hf_cli"), "acme/gated", "--endpoint", endpoint(), "--dir", dir.toString());

        assertThat(granted).isZero();
        assertThat(authorizations).isNotEmpty().containsOnly("Bearer hf_cli");
        assertThat(Files.readAllBytes(dir.resolve("config.json"))).isEqualTo(CONFIG);
    }

    @Test
    void theTerminalBarIsOneRedrawnLineThrottledByTheClock() {
        StringWriter screen = new StringWriter();
        long[] now = {0};
        var printer = new ModelPullCommand.ProgressPrinter(new PrintWriter(screen), true, () -> now[0]);

        printer.onProgress(new PullProgress(PullProgress.Stage.STARTED, "model.safetensors", 1, 2, 0, 1000, 0, 2000));
        printer.onProgress(new PullProgress(PullProgress.Stage.TRANSFERRING, "model.safetensors", 1, 2, 10, 1000, 10, 2000));
        now[0] = 200_000_000L;
        printer.onProgress(new PullProgress(PullProgress.Stage.TRANSFERRING, "model.safetensors", 1, 2, 1000, 1000, 1000, 2000));
        printer.end();

        String text = screen.toString();
        assertThat(text.chars().filter(c -> c == '\r')).hasSize(2);
        assertThat(text).contains("[###############...............]  50%").doesNotContain("10 B /").endsWith(System.lineSeparator());
        assertThat(text.chars().filter(c -> c == '\n')).hasSize(1); // one line, ended once
    }
}
