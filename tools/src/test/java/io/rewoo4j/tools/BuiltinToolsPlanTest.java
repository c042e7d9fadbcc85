package io.rewoo4j.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.run.ExecutionResult;
import io.rewoo4j.core.run.StepResult;
import io.rewoo4j.core.run.StepStatus;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.tools.http.HttpFetchOptions;
import io.rewoo4j.tools.http.LoopbackHttpServer;
import io.rewoo4j.tools.http.LoopbackHttpServer.Reply;
import io.rewoo4j.tools.http.SafeHttpFetcher;
import io.rewoo4j.tools.knowledge.KnowledgeModelOptions;
import io.rewoo4j.tools.knowledge.KnowledgeModelTool;
import io.rewoo4j.tools.links.HyperlinkExtractorTool;
import io.rewoo4j.tools.scrape.TextScraper;
import io.rewoo4j.tools.scrape.TextScraperOptions;
import io.rewoo4j.tools.scrape.TextScraperTool;
import io.rewoo4j.tools.scrape.extract.MainContentExtractor;
import io.rewoo4j.tools.search.DuckDuckGoOptions;
import io.rewoo4j.tools.search.DuckDuckGoSearch;
import io.rewoo4j.tools.search.DuckDuckGoTool;
import io.rewoo4j.tools.testing.RecordingModel;
import io.rewoo4j.tools.testing.TestPages;
import reactor.test.StepVerifier;

/**
 * The four built-in tools through the {@code Tool} SPI and the executor, on a real plan, against real HTTP servers on
 * loopback (DuckDuckGo's saved result page and an article), with a stand-in for the external model.
 */
class BuiltinToolsPlanTest {

    private static final String ARTICLE = """
            <html><head><title>Foo Fighters | Band history</title></head><body>
            <nav><a href="/">Home</a> <a href="/bands">Bands</a></nav>
            <article><h1>Foo Fighters</h1>
            <p>Foo Fighters are an American rock band formed in Seattle in 1994 by Dave Grohl, who had been the
            drummer of Nirvana. The band has won fifteen Grammy Awards.</p>
            <p>Read more at <a href="https://en.wikipedia.org/wiki/Foo_Fighters">Wikipedia</a> or
            https://www.foofighters.com/ (official site).</p></article>
            <footer>Cookie settings | Privacy</footer></body></html>""";

    private final LoopbackHttpServer web = LoopbackHttpServer.start(r -> r.path().startsWith("/html")
            ? Reply.html(TestPages.text("duckduckgo/ddg-html_foo_uddg-wrapped.html"))
            : r.path().equals("/foo-fighters") ? Reply.html(ARTICLE) : Reply.status(404));
    private final SafeHttpFetcher fetcher = new SafeHttpFetcher(HttpFetchOptions.defaults().withAllowPrivateAddresses(true));
    private final RecordingModel model = new RecordingModel("Dave Grohl founded Foo Fighters in 1994.");

    private final DuckDuckGoTool duckDuckGo = new DuckDuckGoTool(new DuckDuckGoSearch(fetcher,
            DuckDuckGoOptions.defaults().withBaseUrl(URI.create(web.url("/html/")))));
    private final TextScraperTool scraper = new TextScraperTool(
            new TextScraper(fetcher, new MainContentExtractor(), TextScraperOptions.defaults()));
    private final KnowledgeModelTool knowledge = new KnowledgeModelTool(model, PromptFormat.LLAMA2_CHAT,
            KnowledgeModelOptions.defaults());
    private final PlanExecutor executor = PlanExecutor.builder(
            ToolRegistry.of(duckDuckGo, scraper, new HyperlinkExtractorTool(), knowledge)).build();

    @AfterEach
    void close() {
        web.close();
        fetcher.close();
    }

    @Test
    void aPlanRunsThroughEveryBuiltInTool() {
        String plan = """
                Plan: Search the web.
                :evidence0: = DuckDuckGo[foo]
                Plan: Read the band's page.
                :evidence1: = TextScraper[%s]
                Plan: Find the links on it.
                :evidence2: = HyperlinkExtractor[:evidence1:]
                Plan: Answer from both.
                :evidence3: = KnowledgeModel[Who founded Foo Fighters and when, given :evidence0: and :evidence1:?]
                Answer: :evidence3:
                """.formatted(web.url("/foo-fighters"));

        ExecutionResult[] out = new ExecutionResult[1];
        StepVerifier.create(executor.run(new PlanParser().parse(plan)))
                .consumeNextWith(r -> out[0] = r).expectComplete().verify(Duration.ofSeconds(30));
        Map<String, StepResult> steps = out[0].steps().stream()
                .collect(java.util.stream.Collectors.toMap(StepResult::id, s -> s));

        assertThat(steps.values()).extracting(StepResult::status).containsOnly(StepStatus.SUCCEEDED);
        assertThat(steps.get("evidence0").output()).startsWith("""
                Foo Fighters - Wikipedia
                https://en.wikipedia.org/wiki/Foo_Fighters
                Foo Fighters are a rock band formed in 1994""");
        assertThat(steps.get("evidence0").sources()).hasSize(10);
        assertThat(steps.get("evidence0").sources().get(0).excerpt()).startsWith("Foo Fighters - Wikipedia\nFoo Fighters are");

        assertThat(steps.get("evidence1").output()).contains(web.url("/foo-fighters"))
                .contains("formed in Seattle in 1994 by Dave Grohl").doesNotContain("Cookie settings");
        assertThat(steps.get("evidence1").sources()).singleElement()
                .satisfies(s -> assertThat(s.excerpt()).contains("fifteen Grammy Awards"));

        // The scraper's text names the page, and main text keeps written-out URLs (anchors' targets are not text).
        assertThat(steps.get("evidence2").output().lines().toList())
                .containsExactly(web.url("/foo-fighters"), "https://www.foofighters.com/");

        assertThat(steps.get("evidence3").output()).isEqualTo("Dave Grohl founded Foo Fighters in 1994.");
        String prompt = model.requests.get(0).prompt();
        assertThat(prompt).contains("url: https://en.wikipedia.org/wiki/Foo_Fighters\ntitle: Foo Fighters - Wikipedia")
                .contains("url: " + web.url("/foo-fighters"))
                .contains("Who founded Foo Fighters and when, given the input blocks of step evidence0 and the input"
                        + " blocks of step evidence1?");
        assertThat(steps.get("evidence3").sources()).extracting(Source::url).contains(web.url("/foo-fighters"));
    }

    @Test
    void aBlockedAddressIsABadInputFailureNotRetried() {
        TextScraperTool strict = new TextScraperTool(new TextScraper(new SafeHttpFetcher(HttpFetchOptions.defaults()),
                new MainContentExtractor(), TextScraperOptions.defaults()));
        StepVerifier.create(strict.execute(ToolRequest.of("http://169.254.169.254/latest/meta-data/")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ToolException.class).hasMessageContaining("TextScraper");
                    assertThat(((ToolException) e).retryable()).isFalse();
                })
                .verify(Duration.ofSeconds(10));
        assertThat(List.of(duckDuckGo, scraper, knowledge)).extracting(t -> t.name())
                .containsExactly("DuckDuckGo", "TextScraper", "KnowledgeModel");
    }
}
