package io.rewoo4j.config.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class PlanParseCommandTest {

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private JsonNode json() {
        return cli.json();
    }

    @Test
    void printsThePlanGraphJson(@TempDir Path dir) throws Exception {
        Path plan = Files.writeString(dir.resolve("plan.txt"), """
                Plan: Search.
                #E1 = DuckDuckGo[Nobel Prize in Literature 2020 winner]
                Plan: Read.
                #E2 = KnowledgeModel[Who won, given #E1?]
                Answer: #E2
                """);

        assertThat(run("plan", "parse", plan.toString(), "--rewoo.tools.http.allow-private-addresses=true")).isZero();

        JsonNode graph = json();
        assertThat(graph.propertyNames()).containsExactly("steps", "answer", "answerDependsOn");
        JsonNode second = graph.get("steps").get(1);
        assertThat(second.get("id").asString()).isEqualTo("e2");
        assertThat(second.get("variable").asString()).isEqualTo("#E2");
        assertThat(second.get("tool").asString()).isEqualTo("KnowledgeModel");
        assertThat(second.get("input").asString()).isEqualTo("Who won, given #E1?");
        assertThat(second.get("dependsOn").get(0).asString()).isEqualTo("e1");
        assertThat(second.get("reasoning").asString()).isEqualTo("Read.");
        assertThat(graph.get("answer").asString()).isEqualTo("#E2");
        assertThat(graph.get("answerDependsOn").get(0).asString()).isEqualTo("e2");
    }

    @Test
    void badPlanExitsWithTwoAndTheErrorLine(@TempDir Path dir) throws Exception {
        Path plan = Files.writeString(dir.resolve("bad.txt"), "Plan: a\n:evidence0: = A[x]\n:evidence1: = B[:evidence5:]\n");

        assertThat(run("plan", "parse", plan.toString())).isEqualTo(2);

        JsonNode error = json().get("error");
        assertThat(error.get("line").asInt()).isEqualTo(3);
        assertThat(error.get("message").asString()).contains(":evidence5:").contains("line 3");
    }

    @Test
    void missingFileIsBadInput() {
        assertThat(run("plan", "parse", "/nonexistent/plan.txt")).isEqualTo(2);
        assertThat(json().get("error").get("message").asString()).contains("no such file: /nonexistent/plan.txt");
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        assertThat(run("plan", "parse", "--verbose=yes")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("Unknown option: '--verbose=yes'");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(cli.out.toString()).contains("plan").contains("serve").contains("--rewoo.");
    }
}
