package io.rewoo4j.config.actuate;

import java.util.Locale;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import io.rewoo4j.config.model.ModelProperties;
import io.rewoo4j.config.model.ModelStatus;
import io.rewoo4j.planner.prompt.PromptFormat;

/**
 * Health of the language model ({@code model}).
 *
 * <p>A missing model is <b>not</b> {@code DOWN}: the server still parses plans and runs tool-only plans, and a
 * restart would not configure one. It is {@code UP} with {@code available: false} and the {@code reason}, which
 * says what to set. Details: {@code available}, {@code provider} ({@code none}, {@code openai}, {@code tgi},
 * {@code embedded}), {@code model} (the provider's one-line description, never the API key), {@code reason} (when
 * unavailable), {@code promptFormat}, and for the embedded runtime {@code backend}, plus {@code phase},
 * {@code device} and {@code detail} when an {@link EmbeddedModelHealth} reports them; then a loading runtime is
 * {@code OUT_OF_SERVICE} and a failed one {@code DOWN}.
 *
 * <p>A remote server is not probed: {@code available} means configured, and a server that is down shows in the
 * runs' errors and the {@code rewoo.steps} metrics rather than here.
 */
public class ModelHealthIndicator implements HealthIndicator {

    private final ModelStatus status;
    private final ModelProperties properties;
    private final PromptFormat promptFormat;
    private final EmbeddedModelHealth runtime;

    /**
     * @param status       whether a model is configured
     * @param properties   the model properties; {@code null} when the application replaced the model configuration
     * @param promptFormat the prompt format in use; {@code null} if none is known
     * @param runtime      the embedded runtime's report; {@code null} when there is none
     */
    public ModelHealthIndicator(ModelStatus status, ModelProperties properties, PromptFormat promptFormat,
                                EmbeddedModelHealth runtime) {
        this.status = status;
        this.properties = properties;
        this.promptFormat = promptFormat;
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up().withDetail("available", status.available());
        if (properties != null) {
            health.withDetail("provider", properties.provider() == null ? "none" : lower(properties.provider()));
        }
        health.withDetail("model", status.description());
        if (!status.available() && status.reason() != null) {
            health.withDetail("reason", status.reason());
        }
        if (promptFormat != null) {
            health.withDetail("promptFormat", promptFormat.id());
        }
        if (properties != null && properties.provider() == ModelProperties.Provider.EMBEDDED) {
            health.withDetail("backend", lower(properties.backend()));
        }
        if (runtime != null) {
            EmbeddedModelHealth.State state = runtime.state();
            health.withDetail("phase", lower(state.phase()));
            if (state.backend() != null) {
                health.withDetail("backend", state.backend());
            }
            if (state.device() != null) {
                health.withDetail("device", state.device());
            }
            if (state.detail() != null) {
                health.withDetail("detail", state.detail());
            }
            switch (state.phase()) {
                case LOADING -> health.outOfService();
                case FAILED -> health.down();
                case READY -> health.up();
            }
        }
        return health.build();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
