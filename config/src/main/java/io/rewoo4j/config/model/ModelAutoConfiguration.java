package io.rewoo4j.config.model;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.tools.model.HttpTimeouts;
import io.rewoo4j.tools.model.OpenAiClientConfig;
import io.rewoo4j.tools.model.OpenAiCompatibleModel;
import io.rewoo4j.tools.model.RetrySettings;
import io.rewoo4j.tools.model.TgiClientConfig;
import io.rewoo4j.tools.model.TgiModel;

/**
 * The {@link LanguageModel} chosen by {@code rewoo.model.provider}. Without a provider (or with one that cannot be
 * used yet) the application still starts: the model bean then fails each call with what to configure, and
 * {@link ModelStatus} says so, so that the REST API answers 503 and health reports it.
 */
@AutoConfiguration
@EnableConfigurationProperties(ModelProperties.class)
public class ModelAutoConfiguration {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelAutoConfiguration.class);

    static final String NOT_CONFIGURED = "no model is configured: set rewoo.model.provider=openai or tgi with "
            + "rewoo.model.base-url (and rewoo.model.name), or rewoo.model.provider=embedded with rewoo.model.path";

    @Bean
    @ConditionalOnMissingBean
    public ModelStatus rewooModelStatus(ModelProperties properties) {
        if (properties.provider() == null) {
            return new ModelStatus(false, "none", NOT_CONFIGURED);
        }
        return switch (properties.provider()) {
            case OPENAI, TGI -> properties.baseUrl() == null
                    ? new ModelStatus(false, properties.describe(), "rewoo.model.provider=" + properties.provider()
                    .name().toLowerCase(java.util.Locale.ROOT) + " needs rewoo.model.base-url")
                    : new ModelStatus(true, properties.describe(), null);
            case EMBEDDED -> properties.path() == null
                    ? new ModelStatus(false, properties.describe(), "rewoo.model.provider=embedded needs rewoo.model.path "
                    + "(a checkpoint folder with config.json, *.safetensors and tokenizer.model or tokenizer.json)")
                    : !java.nio.file.Files.isRegularFile(properties.path().resolve("config.json"))
                    ? new ModelStatus(false, properties.describe(), "rewoo.model.path=" + properties.path()
                    + " holds no checkpoint (no config.json there)")
                    : new ModelStatus(true, properties.describe(), null);
        };
    }

    private static LanguageModel embedded(ModelProperties properties) {
        io.rewoo4j.runtime.model.Backend backend = io.rewoo4j.runtime.model.Backend.fromName(properties.backend().name());
        if (backend == io.rewoo4j.runtime.model.Backend.CUDA) {
            var cuda = io.rewoo4j.runtime.cuda.CudaLibrary.availability();
            if (!cuda.available()) {
                LOG.warn("rewoo.model.backend=cuda but the CUDA backend is not available ({}); running {} on the CPU",
                        cuda.reason(), properties.path());
                backend = io.rewoo4j.runtime.model.Backend.CPU;
            }
        }
        EmbeddedLanguageModel model = EmbeddedLanguageModel.load(properties.path(), properties.contextLength(), backend);
        LOG.info("embedded model {} runs on {} ({})", properties.path(), model.backend(), model.device());
        return model;
    }

    /** Where the embedded model runs, for the {@code model} health indicator. */
    @Bean
    @ConditionalOnMissingBean(io.rewoo4j.config.actuate.EmbeddedModelHealth.class)
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "rewoo.model.provider",
            havingValue = "embedded")
    public io.rewoo4j.config.actuate.EmbeddedModelHealth rewooEmbeddedModelHealth(
            org.springframework.beans.factory.ObjectProvider<LanguageModel> model) {
        return () -> {
            LanguageModel m = model.getIfAvailable();
            if (m instanceof EmbeddedLanguageModel embedded) {
                return new io.rewoo4j.config.actuate.EmbeddedModelHealth.State(
                        io.rewoo4j.config.actuate.EmbeddedModelHealth.Phase.READY, embedded.backend(),
                        embedded.device(), embedded.backendNote().orElse(null));
            }
            if (m instanceof UnavailableLanguageModel) {
                return new io.rewoo4j.config.actuate.EmbeddedModelHealth.State(
                        io.rewoo4j.config.actuate.EmbeddedModelHealth.Phase.FAILED, null, null,
                        "the embedded model is not loaded");
            }
            // a model bean of the application's own: nothing to add about where it runs
            return new io.rewoo4j.config.actuate.EmbeddedModelHealth.State(
                    io.rewoo4j.config.actuate.EmbeddedModelHealth.Phase.READY, null, null, null);
        };
    }

    @Bean
    @ConditionalOnMissingBean
    public PromptFormat rewooPromptFormat(ModelProperties properties) {
        return properties.resolvedPromptFormat();
    }

    @Bean
    @ConditionalOnMissingBean
    public LanguageModel rewooLanguageModel(ModelProperties properties, ModelStatus status) {
        if (!status.available()) {
            return new UnavailableLanguageModel(status.reason());
        }
        HttpTimeouts timeouts = new HttpTimeouts(properties.timeouts().connect(), properties.timeouts().response(),
                properties.timeouts().idle());
        RetrySettings retry = RetrySettings.defaults().withMaxRetries(properties.retry().maxRetries())
                .withBackoff(properties.retry().initialBackoff(), properties.retry().maxBackoff());
        String apiKey = properties.apiKey() == null || properties.apiKey().isBlank() ? null : properties.apiKey();
        return switch (properties.provider()) {
            case OPENAI -> new OpenAiCompatibleModel(new OpenAiClientConfig(properties.baseUrl(), properties.name(),
                    apiKey, properties.openai().mode(), properties.openai().samplingExtensions(), timeouts, retry));
            case TGI -> new TgiModel(new TgiClientConfig(properties.baseUrl(), apiKey, properties.tgi().endpoint(),
                    timeouts, retry));
            case EMBEDDED -> embedded(properties);
        };
    }
}
