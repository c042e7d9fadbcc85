package io.rewoo4j.config.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.rewoo4j.config.agent.AgentAutoConfiguration;
import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.config.model.ModelProperties;
import io.rewoo4j.config.model.ModelStatus;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.prompt.PromptFormat;

/**
 * Actuator support: the {@code model} and {@code tools} health indicators (switched off with
 * {@code management.health.model.enabled=false} / {@code management.health.tools.enabled=false}) and the
 * {@code rewoo} section of the {@code info} endpoint ({@code management.info.rewoo.enabled}). Each is replaceable by
 * a bean of the same name.
 */
@AutoConfiguration(after = {ModelAutoConfiguration.class, AgentAutoConfiguration.class})
public class RewooActuatorAutoConfiguration {

    /** The health indicators. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthIndicators {

        @Bean
        @ConditionalOnMissingBean(name = "modelHealthIndicator")
        @ConditionalOnBean(ModelStatus.class)
        @ConditionalOnEnabledHealthIndicator("model")
        ModelHealthIndicator modelHealthIndicator(ModelStatus status, ObjectProvider<ModelProperties> properties,
                                                  ObjectProvider<PromptFormat> format,
                                                  ObjectProvider<EmbeddedModelHealth> runtime) {
            return new ModelHealthIndicator(status, properties.getIfUnique(), format.getIfUnique(),
                    runtime.getIfUnique());
        }

        @Bean
        @ConditionalOnMissingBean(name = "toolsHealthIndicator")
        @ConditionalOnBean(ToolRegistry.class)
        @ConditionalOnEnabledHealthIndicator("tools")
        ToolsHealthIndicator toolsHealthIndicator(ToolRegistry tools, ObjectProvider<PlanExecutor> executor) {
            PlanExecutor planExecutor = executor.getIfUnique();
            return new ToolsHealthIndicator(tools, planExecutor == null ? null : planExecutor.resilience());
        }
    }

    /** The info contributor. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(InfoContributor.class)
    static class InfoContributors {

        @Bean
        @ConditionalOnMissingBean(name = "rewooInfoContributor")
        @ConditionalOnEnabledInfoContributor("rewoo")
        RewooInfoContributor rewooInfoContributor(ObjectProvider<ModelStatus> status,
                                                  ObjectProvider<PromptFormat> format,
                                                  ObjectProvider<ToolRegistry> tools) {
            return new RewooInfoContributor(status.getIfUnique(), format.getIfUnique(), tools.getIfUnique());
        }
    }
}
