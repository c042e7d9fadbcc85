package io.rewoo4j.config.agent;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.config.tools.ToolsAutoConfiguration;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.core.run.InMemoryRunStore;
import io.rewoo4j.core.run.RunStore;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.prompt.PromptFormat;

/**
 * The agent: a {@link ToolRegistry} of every {@link Tool} bean (the built-in ones and the user's), the
 * {@link PlanExecutor}, the {@link RunStore} and the {@link RewooAgent} facade. Each is replaceable by a bean of the
 * user's own.
 */
@AutoConfiguration(after = {ModelAutoConfiguration.class, ToolsAutoConfiguration.class})
@EnableConfigurationProperties(AgentProperties.class)
public class AgentAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public ToolRegistry rewooToolRegistry(ObjectProvider<Tool> tools) {
        return ToolRegistry.of(tools.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean
    public PlanExecutor rewooPlanExecutor(ToolRegistry tools, AgentProperties properties) {
        return PlanExecutor.builder(tools)
                .policies(properties.toolPolicies())
                .maxConcurrency(properties.maxConcurrency())
                .runTimeout(properties.runTimeout())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    public RunStore rewooRunStore(AgentProperties properties) {
        return new InMemoryRunStore(properties.runsKept());
    }

    @Bean
    @ConditionalOnMissingBean
    public RewooAgent rewooAgent(LanguageModel model, PromptFormat format, PlanExecutor executor, RunStore store,
                                 AgentProperties properties) {
        return RewooAgent.builder()
                .model(model)
                .promptFormat(format)
                .executor(executor)
                .store(store)
                .plannerOptions(GenerationOptions.defaults().withMaxTokens(properties.planMaxTokens()))
                .solver(properties.solver())
                .solverTimeout(properties.solverTimeout())
                .planLimits(properties.maxSteps(), properties.maxLineLength())
                .build();
    }
}
