package io.rewoo4j.config.annotation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;

import io.rewoo4j.core.tool.Tool;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers a {@link Tool} bean (a {@link MethodTool}) for every {@link RewooTool} method of every bean, so that the
 * tools are seen by everything that collects {@code Tool} beans, the agent's {@code ToolRegistry} first of all.
 *
 * <p>It works on bean definitions, before any bean exists: each method is checked at once (a method that cannot be a
 * tool fails startup), and the tool bean, named {@code rewooTool.<name>}, depends on the bean whose method it calls.
 * Methods are found on the bean's type as the context can tell it without creating the bean: a {@code @Bean} method
 * declared to return an interface or {@code Object} hides the annotated methods of what it returns, so declare the
 * implementation type. Results that are neither text nor evidence are written with the application's
 * {@link JsonMapper} when there is exactly one, else Jackson's default.
 */
public final class ToolMethodRegistrar implements BeanFactoryPostProcessor {

    /** The prefix of the tool beans' names. */
    public static final String BEAN_NAME_PREFIX = "rewooTool.";

    private static final Log log = LogFactory.getLog(ToolMethodRegistrar.class);

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        if (!(beanFactory instanceof BeanDefinitionRegistry registry)) {
            throw new IllegalStateException("@RewooTool methods need a bean factory that accepts bean definitions; "
                    + beanFactory.getClass().getName() + " does not");
        }
        Map<String, ToolMethod> byKey = new HashMap<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            for (ToolMethod method : toolMethodsOf(beanFactory, beanName)) {
                ToolMethod clash = byKey.putIfAbsent(method.key(), method);
                if (clash != null) {
                    throw new IllegalStateException("two @RewooTool methods make a tool named '" + method.name()
                            + "' (names are compared ignoring case): " + clash + " and " + method);
                }
                register(beanFactory, registry, beanName, method);
            }
        }
    }

    private static List<ToolMethod> toolMethodsOf(ConfigurableListableBeanFactory beanFactory, String beanName) {
        BeanDefinition definition = beanFactory.getMergedBeanDefinition(beanName);
        if (definition.isAbstract() || definition.getRole() == BeanDefinition.ROLE_INFRASTRUCTURE
                || ScopedProxyUtils.isScopedTarget(beanName)) {
            return List.of();
        }
        Class<?> type;
        try {
            type = beanFactory.getType(beanName, false);
        } catch (RuntimeException | LinkageError e) {
            // a type that cannot be resolved without creating the bean (or whose class is missing) has no tools we can see
            log.debug("cannot look for @RewooTool methods on bean '" + beanName + "'", e);
            return List.of();
        }
        if (type == null) {
            return List.of();
        }
        Class<?> userType = ClassUtils.getUserClass(type);
        if (!AnnotationUtils.isCandidateClass(userType, RewooTool.class)) {
            return List.of();
        }
        try {
            return ToolMethod.declaredBy(userType);
        } catch (NoClassDefFoundError e) {
            // a class whose methods mention an absent optional dependency: it cannot declare tools we could call
            log.debug("cannot look for @RewooTool methods on " + userType.getName(), e);
            return List.of();
        }
    }

    private static void register(ConfigurableListableBeanFactory beanFactory, BeanDefinitionRegistry registry,
                                 String beanName, ToolMethod method) {
        String toolBeanName = BEAN_NAME_PREFIX + method.name();
        if (registry.containsBeanDefinition(toolBeanName)) {
            throw new IllegalStateException("a bean named '" + toolBeanName + "' already exists; rename the tool of "
                    + method);
        }
        RootBeanDefinition definition = new RootBeanDefinition(MethodTool.class, () -> new MethodTool(method,
                beanFactory.getBean(beanName),
                beanFactory.getBeanProvider(JsonMapper.class).getIfUnique(JsonMapper::shared)));
        definition.setDependsOn(beanName);
        definition.setLazyInit(beanFactory.getMergedBeanDefinition(beanName).isLazyInit());
        definition.setDescription("the @RewooTool method " + method);
        registry.registerBeanDefinition(toolBeanName, definition);
    }
}
