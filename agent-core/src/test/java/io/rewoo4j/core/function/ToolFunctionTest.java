package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.core.tool.ToolRequest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ToolFunctionTest {

    private final List<ToolRequest> requests = new CopyOnWriteArrayList<>();

    private final Tool links = Tool.of("HyperlinkExtractor",
            "Extract links from plain text and produces a plain text, newline delimited response of links.",
            request -> {
                requests.add(request);
                return Mono.just(Evidence.of("https://a.example/\nhttps://b.example/"));
            });

    /** A tool that takes structured input, as its schema says. */
    private final Tool calendar = new Tool() {
        @Override
        public String name() {
            return "Calendar";
        }

        @Override
        public String description() {
            return "Books a meeting.";
        }

        @Override
        public Optional<String> inputSchema() {
            return Optional.of("{\"type\": \"object\", \"properties\": {\"title\": {\"type\": \"string\"}, "
                    + "\"minutes\": {\"type\": \"integer\"}}, \"required\": [\"title\"]}");
        }

        @Override
        public Mono<Evidence> execute(ToolRequest request) {
            requests.add(request);
            return Mono.just(Evidence.of("booked"));
        }
    };

    @Test
    void aFreeTextToolTakesOneRequiredStringInput() {
        FunctionSpec spec = ToolFunction.of(links).spec();
        assertThat(spec.name()).isEqualTo("HyperlinkExtractor");
        assertThat(spec.description()).isEqualTo(links.description());
        assertThat(spec.parameters().properties()).containsOnlyKeys("input");
        assertThat(spec.parameters().properties().get("input").type()).isEqualTo(ParameterType.STRING);
        assertThat(spec.parameters().required()).containsExactly("input");
    }

    @Test
    void itsResultIsTheEvidenceText() {
        FunctionDispatcher dispatcher = new FunctionDispatcher(FunctionRegistry.ofTools(ToolRegistry.of(links)));
        StepVerifier.create(dispatcher.dispatchModelOutput(
                        "{\"function\": \"HyperlinkExtractor\", \"params\": {\"input\": \"see https://a.example/\"}}"))
                .assertNext(result -> {
                    assertThat(result.function()).isEqualTo("HyperlinkExtractor");
                    assertThat(result.result()).isEqualTo("https://a.example/\nhttps://b.example/");
                })
                .verifyComplete();
        assertThat(requests).singleElement().satisfies(request -> {
            assertThat(request.input()).isEqualTo("see https://a.example/");
            assertThat(request.runId()).isEqualTo(ToolRequest.DIRECT);
        });
    }

    @Test
    void aToolWithAnInputSchemaTakesItsParamsAsJsonText() {
        ToolFunction function = ToolFunction.of(calendar);
        assertThat(function.spec().parameters().properties()).containsOnlyKeys("title", "minutes");
        FunctionDispatcher dispatcher = new FunctionDispatcher(FunctionRegistry.of(function));

        StepVerifier.create(dispatcher.dispatch(FunctionCall.of("calendar", Map.of("title", "Standup"))))
                .assertNext(result -> assertThat(result.result()).isEqualTo("booked"))
                .verifyComplete();
        assertThat(requests).singleElement().extracting(ToolRequest::input).isEqualTo("{\"title\":\"Standup\"}");

        StepVerifier.create(dispatcher.dispatch(FunctionCall.of("Calendar", Map.of("minutes", "15"))))
                .expectError(DispatchException.InvalidParams.class).verify();
        assertThat(requests).hasSize(1);
    }

    @Test
    void aToolFailureIsFunctionFailed() {
        Tool broken = Tool.of("Broken", "fails", r -> Mono.error(ToolException.badInput("not a URL")));
        Tool silent = Tool.of("Silent", "emits nothing", r -> Mono.empty());
        FunctionDispatcher dispatcher = new FunctionDispatcher(FunctionRegistry.ofTools(ToolRegistry.of(broken, silent)));
        StepVerifier.create(dispatcher.dispatch(FunctionCall.of("Broken", Map.of("input", "x"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DispatchException.FunctionFailed.class)
                        .hasMessage("function 'Broken' failed: not a URL").hasCauseInstanceOf(ToolException.class))
                .verify();
        StepVerifier.create(dispatcher.dispatch(FunctionCall.of("Silent", Map.of("input", "x"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DispatchException.FunctionFailed.class)
                        .hasMessageContaining("without evidence"))
                .verify();
    }

    @Test
    void aToolWhoseSchemaIsOutsideTheSubsetIsRefusedNamingIt() {
        Tool odd = new Tool() {
            @Override
            public String name() {
                return "Odd";
            }

            @Override
            public String description() {
                return "odd";
            }

            @Override
            public Optional<String> inputSchema() {
                return Optional.of("{\"type\": \"object\", \"oneOf\": []}");
            }

            @Override
            public Mono<Evidence> execute(ToolRequest request) {
                return Mono.just(Evidence.of(""));
            }
        };
        assertThatThrownBy(() -> ToolFunction.of(odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tool 'Odd'").hasMessageContaining("'oneOf'");
    }
}
