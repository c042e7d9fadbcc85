package io.rewoo4j.config.observation;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.MeterRegistry;
import io.rewoo4j.config.agent.AgentAutoConfiguration;
import io.rewoo4j.core.tool.ToolRegistry;

/**
 * Run and step metrics ({@link RunMetrics}) when the application has a {@link MeterRegistry} (Spring Boot makes one
 * when Micrometer is on the classpath, as it is with the actuator). The agent passes every event of every run to
 * each {@code RunListener} bean. Individual meters are switched off the Boot way:
 * {@code management.metrics.enable.rewoo=false} (all of them) or e.g.
 * {@code management.metrics.enable.rewoo.steps=false}.
 */
@AutoConfiguration(after = AgentAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass(MeterRegistry.class)
public class RunMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({MeterRegistry.class, ToolRegistry.class})
    public RunMetrics rewooRunMetrics(MeterRegistry registry, ToolRegistry tools) {
        return new RunMetrics(registry, tools);
    }
}
