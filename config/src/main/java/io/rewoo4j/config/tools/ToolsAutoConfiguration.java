package io.rewoo4j.config.tools;

import java.net.URI;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.tools.http.HttpFetchOptions;
import io.rewoo4j.tools.http.SafeHttpFetcher;
import io.rewoo4j.tools.knowledge.KnowledgeModelOptions;
import io.rewoo4j.tools.knowledge.KnowledgeModelTool;
import io.rewoo4j.tools.links.HyperlinkExtractor;
import io.rewoo4j.tools.links.HyperlinkExtractorTool;
import io.rewoo4j.tools.scrape.TextScraper;
import io.rewoo4j.tools.scrape.TextScraperOptions;
import io.rewoo4j.tools.scrape.TextScraperTool;
import io.rewoo4j.tools.scrape.extract.MainContentExtractor;
import io.rewoo4j.tools.search.DuckDuckGoOptions;
import io.rewoo4j.tools.search.DuckDuckGoSearch;
import io.rewoo4j.tools.search.DuckDuckGoTool;

/**
 * The built-in tools as beans: DuckDuckGo, TextScraper, HyperlinkExtractor and KnowledgeModel, each switchable with
 * {@code rewoo.tools.<tool>.enabled} and replaceable by a bean of the user's own.
 */
@AutoConfiguration(after = ModelAutoConfiguration.class)
@EnableConfigurationProperties(ToolsProperties.class)
public class ToolsAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public SafeHttpFetcher rewooHttpFetcher(ToolsProperties properties) {
        ToolsProperties.Http http = properties.http();
        HttpFetchOptions options = HttpFetchOptions.defaults()
                .withAllowPrivateAddresses(http.allowPrivateAddresses())
                .withConnectTimeout(http.connectTimeout())
                .withReadTimeout(http.readTimeout())
                .withTotalTimeout(http.totalTimeout())
                .withMaxBodyBytes(http.maxResponseSize().toBytes())
                .withMaxRedirects(http.maxRedirects());
        if (http.userAgent() != null && !http.userAgent().isBlank()) {
            options = options.withUserAgent(http.userAgent());
        }
        return new SafeHttpFetcher(options);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "rewoo.tools.duckduckgo.enabled", matchIfMissing = true)
    public DuckDuckGoTool duckDuckGoTool(SafeHttpFetcher fetcher, ToolsProperties properties) {
        ToolsProperties.DuckDuckGo ddg = properties.duckduckgo();
        DuckDuckGoOptions options = DuckDuckGoOptions.defaults()
                .withBaseUrl(ddg.baseUrl())
                .withTimeFilter(ddg.timeFilter())
                .withMaxResults(ddg.maxResults())
                .withMaxPages(ddg.maxPages());
        if (ddg.region() != null && !ddg.region().isBlank()) {
            options = options.withRegion(ddg.region());
        }
        if (ddg.baseUrl().equals(DuckDuckGoOptions.DEFAULT_BASE_URL)) {
            options = options.withLiteUrl(ddg.liteUrl() == null || ddg.liteUrl().isBlank() ? null : URI.create(ddg.liteUrl()));
        }
        return new DuckDuckGoTool(new DuckDuckGoSearch(fetcher, options));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "rewoo.tools.scraper.enabled", matchIfMissing = true)
    public TextScraperTool textScraperTool(SafeHttpFetcher fetcher, ToolsProperties properties) {
        ToolsProperties.Scraper scraper = properties.scraper();
        TextScraperOptions options = TextScraperOptions.defaults()
                .withMaxLinks(scraper.maxLinks())
                .withConcurrency(scraper.concurrency())
                .withRespectRobotsTxt(scraper.respectRobotsTxt())
                .withMaxCharactersPerPage(scraper.maxCharactersPerPage());
        return new TextScraperTool(new TextScraper(fetcher, new MainContentExtractor(), options));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "rewoo.tools.links.enabled", matchIfMissing = true)
    public HyperlinkExtractorTool hyperlinkExtractorTool() {
        return new HyperlinkExtractorTool(new HyperlinkExtractor());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "rewoo.tools.knowledge-model.enabled", matchIfMissing = true)
    public KnowledgeModelTool knowledgeModelTool(LanguageModel model, PromptFormat format, ToolsProperties properties) {
        ToolsProperties.KnowledgeModel km = properties.knowledgeModel();
        KnowledgeModelOptions options = new KnowledgeModelOptions(km.contextTokens(), km.answerTokens(),
                km.temperature(), KnowledgeModelOptions.defaults().chunkChars(), KnowledgeModelOptions.CONSERVATIVE_ESTIMATE);
        return new KnowledgeModelTool(model, format, options);
    }
}
