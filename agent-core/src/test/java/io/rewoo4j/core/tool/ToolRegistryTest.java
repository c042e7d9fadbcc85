package io.rewoo4j.core.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.planner.prompt.ToolDescription;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ToolRegistryTest {

    private final Tool ddg = Tool.of("DuckDuckGo", "web search", r -> Mono.just(Evidence.of("results")));
    private final Tool km = Tool.of("KnowledgeModel", "answers from a passage", r -> Mono.just(Evidence.of("a")));

    @Test
    void findsByExactNameThenIgnoringCase() {
        ToolRegistry registry = ToolRegistry.of(ddg, km);
        assertThat(registry.find("DuckDuckGo")).containsSame(ddg);
        assertThat(registry.find("duckduckgo")).containsSame(ddg);
        assertThat(registry.find("KNOWLEDGEMODEL")).containsSame(km);
        assertThat(registry.find("Google")).isEmpty();
    }

    @Test
    void listsToolsNamesAndPromptDescriptionsInRegistrationOrder() {
        ToolRegistry registry = ToolRegistry.of(km, ddg);
        assertThat(registry.tools()).containsExactly(km, ddg);
        assertThat(registry.names()).containsExactly("KnowledgeModel", "DuckDuckGo");
        assertThat(registry.descriptions()).containsExactly(
                new ToolDescription("KnowledgeModel", "answers from a passage"),
                new ToolDescription("DuckDuckGo", "web search"));
    }

    @Test
    void rejectsNamesThatDifferOnlyInCase() {
        Tool other = Tool.of("duckduckgo", "another", r -> Mono.empty());
        assertThatThrownBy(() -> ToolRegistry.of(ddg, other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DuckDuckGo").hasMessageContaining("duckduckgo");
    }

    @Test
    void aBlockingToolRunsOffTheCallingThread() {
        Thread caller = Thread.currentThread();
        Tool blocking = Tool.blocking("B", "blocking", r -> Evidence.of(Thread.currentThread().getName()));
        StepVerifier.create(blocking.execute(ToolRequest.of("x")))
                .assertNext(e -> assertThat(e.text()).isNotEqualTo(caller.getName()).contains("boundedElastic"))
                .verifyComplete();
    }

    @Test
    void aFunctionToolIsLazyAndTurnsThrowsIntoErrors() {
        int[] calls = {0};
        Tool t = Tool.of("T", "t", r -> {
            calls[0]++;
            throw new IllegalArgumentException("bad");
        });
        Mono<Evidence> call = t.execute(ToolRequest.of("x"));
        assertThat(calls[0]).isZero();
        StepVerifier.create(call).expectErrorMessage("bad").verify();
        assertThat(calls[0]).isEqualTo(1);
    }
}
