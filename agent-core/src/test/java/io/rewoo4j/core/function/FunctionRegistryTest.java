package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class FunctionRegistryTest {

    private final AgentFunction search = AgentFunction.builder("search").reactive(p -> Mono.just("s"));
    private final AgentFunction fileAnalytics = AgentFunction.builder("file_analytics").reactive(p -> Mono.just("f"));

    @Test
    void findsByExactNameThenIgnoringCase() {
        FunctionRegistry registry = FunctionRegistry.of(search, fileAnalytics);
        assertThat(registry.find("file_analytics")).containsSame(fileAnalytics);
        assertThat(registry.find("File_Analytics")).containsSame(fileAnalytics);
        assertThat(registry.find("SEARCH")).containsSame(search);
        assertThat(registry.find("file-analytics")).isEmpty();
    }

    @Test
    void keepsRegistrationOrder() {
        FunctionRegistry registry = FunctionRegistry.of(fileAnalytics, search);
        assertThat(registry.names()).containsExactly("file_analytics", "search");
        assertThat(registry.specs()).containsExactly(fileAnalytics.spec(), search.spec());
        assertThat(registry.size()).isEqualTo(2);
    }

    @Test
    void rejectsNamesThatDifferOnlyInCase() {
        AgentFunction other = AgentFunction.builder("Search").reactive(p -> Mono.empty());
        assertThatThrownBy(() -> FunctionRegistry.of(search, other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'search'").hasMessageContaining("'Search'");
    }
}
