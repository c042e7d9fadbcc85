package io.rewoo4j.config.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import io.rewoo4j.config.agent.AgentAutoConfiguration;
import io.rewoo4j.config.agent.AgentProperties;
import io.rewoo4j.core.tool.ToolRegistry;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API under {@code /api/v1} (reactive web applications only), with its limits and, when
 * {@code rewoo.server.api-keys} is set, API-key authentication.
 */
@AutoConfiguration(after = AgentAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties(ServerProperties.class)
@Import({RewooApiController.class, FunctionDispatchController.class, ApiExceptionHandler.class})
public class WebAutoConfiguration {

    @Bean
    RequestLimits rewooRequestLimits(ServerProperties server, AgentProperties agent, ToolRegistry tools) {
        return new RequestLimits(server, agent, tools);
    }

    @Bean
    ProblemWriter rewooProblemWriter() {
        return new ProblemWriter(JsonMapper.builder().build());
    }

    @Bean
    RequestSizeFilter rewooRequestSizeFilter(ServerProperties server, ProblemWriter problems) {
        return new RequestSizeFilter(server.maxRequestSize(), problems);
    }

    @Bean
    ApiWebExceptionHandler rewooApiWebExceptionHandler(ProblemWriter problems) {
        return new ApiWebExceptionHandler(problems);
    }

    @Bean
    ApiKeyFilter rewooApiKeyFilter(ServerProperties server, ProblemWriter problems) {
        return new ApiKeyFilter(server.apiKeys(), problems);
    }
}
