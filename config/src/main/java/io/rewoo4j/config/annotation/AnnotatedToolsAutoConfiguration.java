package io.rewoo4j.config.annotation;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import io.rewoo4j.config.agent.AgentAutoConfiguration;

/**
 * Tools from {@link RewooTool} methods: every such method of every bean becomes a {@code Tool} bean, and so joins
 * the {@code ToolRegistry} of {@link AgentAutoConfiguration} (or any other collector of {@code Tool} beans).
 */
@AutoConfiguration(before = AgentAutoConfiguration.class)
public class AnnotatedToolsAutoConfiguration {

    // static: a bean factory post-processor must exist before the configuration class's own bean
    @Bean
    static ToolMethodRegistrar rewooToolMethodRegistrar() {
        return new ToolMethodRegistrar();
    }
}
