package io.rewoo4j.config.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code tools}, {@code tool run}, {@code plan run} and {@code ask} with the real application context. */
class AgentCommandsTest {

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private JsonNode json() {
        return cli.json();
    }

    @Test
    void toolsListsTheBuiltInToolsWithTheirDescriptions() {
        assertThat(run("tools", "--rewoo.tools.scraper.enabled=false")).isZero();
        assertThat(cli.out.toString()).contains("DuckDuckGo\n    Tool that enables the user to search")
                .contains("HyperlinkExtractor\n").contains("KnowledgeModel\n").doesNotContain("TextScraper");
    }

    @Test
    void toolRunPrintsTheOutput() {
        assertThat(run("tool", "run", "HyperlinkExtractor", "see <https://example.com/a>, then https://example.com/a#x."))
                .isZero();
        assertThat(cli.out.toString()).isEqualTo("https://example.com/a\n");
    }

    @Test
    void toolRunOfAnUnknownToolIsBadInput() {
        assertThat(run("tool", "run", "Bing", "x")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("unknown tool 'Bing'").contains("DuckDuckGo");
    }

    @Test
    void aFailingToolExitsWithOneAndTheReason() {
        assertThat(run("tool", "run", "TextScraper", "http://169.254.169.254/latest/meta-data/")).isEqualTo(1);
        assertThat(cli.err.toString()).contains("TextScraper failed").contains("169.254.169.254");
        assertThat(cli.out.toString()).isEmpty();
    }

    @Test
    void planRunShowsEachStepAndTheAnswer(@TempDir Path dir) throws Exception {
        Path plan = Files.writeString(dir.resolve("plan.txt"), """
                Plan: Find the links.
                #E1 = HyperlinkExtractor[read https://a.example/x and https://b.example/y]
                Plan: Keep the first.
                #E2 = HyperlinkExtractor[#E1]
                Answer: The links: #E2
                """);

        assertThat(run("plan", "run", plan.toString(), "--question", "Which links?")).isZero();

        assertThat(cli.out.toString())
                .contains("start e1          HyperlinkExtractor[read https://a.example/x and https://b.example/y]")
                .contains("done  e2")
                .contains("Answer: The links: https://a.example/x\nhttps://b.example/y")
                .containsPattern("Run \\S+ succeeded in");
    }

    @Test
    void planRunJsonIsTheRunResult(@TempDir Path dir) throws Exception {
        Path plan = Files.writeString(dir.resolve("plan.txt"),
                ":evidence0: = HyperlinkExtractor[https://a.example/x]\n:evidence1: = TextScraper[http://10.0.0.1/]\n"
                        + ":evidence2: = HyperlinkExtractor[:evidence1:]\nAnswer: :evidence0:\n");

        assertThat(run("plan", "run", plan.toString(), "--json")).isEqualTo(1);

        JsonNode result = json();
        assertThat(result.get("status").asString()).isEqualTo("failed");
        assertThat(result.get("steps").get(0).get("status").asString()).isEqualTo("succeeded");
        assertThat(result.get("steps").get(0).get("output").asString()).isEqualTo("https://a.example/x");
        assertThat(result.get("steps").get(1).get("status").asString()).isEqualTo("failed");
        assertThat(result.get("steps").get(1).get("error").get("message").asString()).contains("10.0.0.1");
        assertThat(result.get("steps").get(2).get("status").asString()).isEqualTo("skipped");
        assertThat(result.get("steps").get(2).get("error").get("blockedBy").asString()).isEqualTo("evidence1");
        assertThat(result.get("plan").get("steps")).hasSize(3);
    }

    @Test
    void planRunRejectsUnknownToolsWithTheLine(@TempDir Path dir) throws Exception {
        Path plan = Files.writeString(dir.resolve("plan.txt"), "Plan: x\n:evidence0: = Bing[q]\n");
        assertThat(run("plan", "run", plan.toString())).isEqualTo(2);
        JsonNode error = json().get("error");
        assertThat(error.get("line").asInt()).isEqualTo(2);
        assertThat(error.get("code").asString()).isEqualTo("unknown_tool");
    }

    @Test
    void askWithoutAModelSaysWhatToConfigure() {
        assertThat(run("ask", "Who won the Nobel Prize in Literature in 2020?")).isEqualTo(1);
        assertThat(cli.err.toString()).contains("rewoo.model.provider");
    }
}
