package io.rewoo4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code ./rewoo} launcher at the repository root, run as a user runs it, on the packaged application. */
class LauncherIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Result(int exit, String out, String err) {
    }

    private static Result rewoo(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("rewoo").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(ROOT.toFile()).start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out, err);
    }

    @Test
    void planParseOfTheExamplePlan() throws Exception {
        Result result = rewoo(null, "plan", "parse", "docs/examples/nobel-plan.txt");

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode graph = JsonMapper.builder().build().readTree(result.out());
        assertThat(graph.get("steps")).hasSize(6);
        assertThat(graph.get("steps").get(5).get("dependsOn").toString()).isEqualTo("[\"evidence1\",\"evidence4\"]");
        assertThat(graph.get("answer").asString()).isEqualTo(":evidence5:");
        assertThat(Files.exists(ROOT.resolve("docs/examples/nobel-plan.txt"))).isTrue();
    }

    @Test
    void planParseFromStandardInputWithABadPlan() throws Exception {
        Result result = rewoo("Sure!\nPlan: go\n:evidence0: = DuckDuckGo[]\n", "plan", "parse", "-");

        assertThat(result.exit()).isEqualTo(2);
        JsonNode error = JsonMapper.builder().build().readTree(result.out()).get("error");
        assertThat(error.get("line").asInt()).isEqualTo(3);
        assertThat(error.get("message").asString()).contains("empty tool input");
    }

    @Test
    void toolRunSearchesTheConfiguredDuckDuckGo() throws Exception {
        try (LocalWeb web = new LocalWeb(0)) {
            Result result = rewoo(null, "tool", "run", "DuckDuckGo", "foo",
                    "--rewoo.tools.duckduckgo.base-url=" + web.url("/html/"),
                    "--rewoo.tools.http.allow-private-addresses=true");

            assertThat(result.exit()).as(result.err()).isZero();
            assertThat(result.out()).startsWith("""
                    Foo Fighters - Wikipedia
                    https://en.wikipedia.org/wiki/Foo_Fighters
                    Foo Fighters are a rock band formed in 1994""");
        }
    }

    @Test
    void askPlansWithTheModelAndPrintsTheRunAsJson() throws Exception {
        try (LocalWeb web = new LocalWeb(0)) {
            Result result = rewoo(null, "ask", "Who founded Foo Fighters?", "--json",
                    "--rewoo.model.provider=openai", "--rewoo.model.base-url=" + web.url(""),
                    "--rewoo.tools.duckduckgo.base-url=" + web.url("/html/"),
                    "--rewoo.tools.http.allow-private-addresses=true");

            assertThat(result.exit()).as(result.err()).isZero();
            JsonNode run = JsonMapper.builder().build().readTree(result.out());
            assertThat(run.get("answer").asString()).isEqualTo(LocalWeb.ANSWER);
            assertThat(run.get("steps")).hasSize(3);
        }
    }

    @Test
    void askWithoutAModelExitsWithOneAndSaysWhatToSet() throws Exception {
        Result result = rewoo(null, "ask", "Who founded Foo Fighters?");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("rewoo.model.provider");
    }

    @Test
    void planRunExecutesTheExamplePlanStepByStep() throws Exception {
        Result result = rewoo(null, "plan", "run", "docs/examples/links-plan.txt");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("start evidence0   HyperlinkExtractor[The ReWOO paper is at")
                .contains("start evidence1   HyperlinkExtractor[Links found: https://arxiv.org/abs/2305.18323")
                .contains("Answer: https://arxiv.org/abs/2305.18323\nhttps://github.com/billxbf/ReWOO")
                .containsPattern("Run \\S+ succeeded");
    }
}
