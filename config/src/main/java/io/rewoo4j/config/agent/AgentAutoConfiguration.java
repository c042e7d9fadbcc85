package io.rewoo4j.config.agent;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.rewoo4j.config.model.ModelAutoConfiguration;
import io.rewoo4j.config.tools.ToolsAutoConfiguration;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.core.event.RunListener;
import io.rewoo4j.core.execute.PlanExecutor;
import io.rewoo4j.core.function.AgentFunction;
import io.rewoo4j.core.function.FunctionCallingAgent;
import io.rewoo4j.core.function.FunctionDispatcher;
import io.rewoo4j.core.function.FunctionRegistry;
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

    /** Every tool as a function, and the user's own {@link AgentFunction} beans. */
    @Bean
    @ConditionalOnMissingBean
    public FunctionRegistry rewooFunctionRegistry(ToolRegistry tools, ObjectProvider<AgentFunction> functions) {
        List<AgentFunction> all = new ArrayList<>(FunctionRegistry.ofTools(tools).functions());
        functions.orderedStream().forEach(all::add);
        return FunctionRegistry.of(all);
    }

    @Bean
    @ConditionalOnMissingBean
    public FunctionDispatcher rewooFunctionDispatcher(FunctionRegistry functions, AgentProperties properties) {
        return new FunctionDispatcher(functions).withTimeout(properties.functionTimeout());
    }

    @Bean
    @ConditionalOnMissingBean
    public FunctionCallingAgent rewooFunctionCallingAgent(LanguageModel model, PromptFormat format,
                                                          FunctionDispatcher dispatcher) {
        return new FunctionCallingAgent(model, format, dispatcher);
    }

    @Bean
    @ConditionalOnMissingBean
    public RewooAgent rewooAgent(LanguageModel model, PromptFormat format, PlanExecutor executor, RunStore store,
                                 AgentProperties properties, ObjectProvider<RunListener> listeners) {
        return RewooAgent.builder()
                .model(model)
                .promptFormat(format)
                .executor(executor)
                .store(store)
                .plannerOptions(GenerationOptions.defaults().withMaxTokens(properties.planMaxTokens()))
                .solver(properties.solver())
                .solverTimeout(properties.solverTimeout())
                .planLimits(properties.maxSteps(), properties.maxLineLength())
                .listeners(listeners.orderedStream().toList())
                .build();
    }
}
