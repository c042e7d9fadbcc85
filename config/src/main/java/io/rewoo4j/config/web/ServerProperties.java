package io.rewoo4j.config.web;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The REST API ({@code rewoo.server.*}).
 *
 * @param apiKeys           keys a client must send (as {@code X-API-Key} or {@code Authorization: Bearer}) on every
 *                          {@code /api/**} request; empty (the default) for no authentication
 * @param maxRequestSize    the largest request body accepted
 * @param maxPlanLength     the longest plan text accepted, in characters
 * @param maxQuestionLength the longest question accepted, in characters
 */
@ConfigurationProperties("rewoo.server")
public record ServerProperties(List<String> apiKeys, @DefaultValue("1MB") DataSize maxRequestSize,
                               @DefaultValue("65536") int maxPlanLength, @DefaultValue("4000") int maxQuestionLength) {

    public ServerProperties {
        apiKeys = apiKeys == null ? List.of() : apiKeys.stream().filter(k -> k != null && !k.isBlank()).toList();
    }
}
