package io.rewoo4j.config.annotation;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.planner.prompt.ToolDescription;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link Tool} that calls a {@link RewooTool} method of an object; see {@link RewooTool} for how input, output and
 * errors are handled. In a Spring application every such method of every bean becomes one of these automatically;
 * elsewhere, {@link #allOf(Object)} makes them for an object.
 */
public final class MethodTool implements Tool {

    private final ToolMethod method;
    private final Object target;
    private final Method invocable;
    private final JsonMapper resultWriter;

    MethodTool(ToolMethod method, Object target, JsonMapper resultWriter) {
        this.method = Objects.requireNonNull(method, "method");
        this.target = Objects.requireNonNull(target, "target");
        this.resultWriter = Objects.requireNonNull(resultWriter, "resultWriter");
        // the bean may be a proxy of the class the method was found on
        this.invocable = AopUtils.selectInvocableMethod(method.method(), target.getClass());
        ReflectionUtils.makeAccessible(invocable);
    }

    /**
     * The tools of every {@link RewooTool} method of the object, results written as JSON by Jackson's default mapper.
     *
     * @throws IllegalStateException if a method cannot be a tool (the message says why)
     */
    public static List<MethodTool> allOf(Object target) {
        return allOf(target, JsonMapper.shared());
    }

    /** {@link #allOf(Object)} with the mapper that writes results that are neither text nor evidence. */
    public static List<MethodTool> allOf(Object target, JsonMapper resultWriter) {
        return ToolMethod.declaredBy(ClassUtils.getUserClass(target)).stream()
                .map(m -> new MethodTool(m, target, resultWriter))
                .toList();
    }

    @Override
    public String name() {
        return method.name();
    }

    /** The description as written in the annotation. */
    @Override
    public String description() {
        return method.description();
    }

    /** The JSON Schema of the input object; empty for a method taking the input text. */
    @Override
    public Optional<String> inputSchema() {
        return method.inputSchema();
    }

    /** The description followed by a line saying what input to write, generated from the parameters. */
    @Override
    public ToolDescription toDescription() {
        return new ToolDescription(name(), method.plannerDescription());
    }

    /** The method this tool calls. */
    public Method method() {
        return method.method();
    }

    @Override
    public Mono<Evidence> execute(ToolRequest request) {
        if (method.reactive()) {
            return Mono.defer(() -> {
                Object result;
                try {
                    result = invoke(request);
                } catch (Throwable e) {
                    Exceptions.throwIfJvmFatal(e);
                    return Mono.error(failure(e));
                }
                if (result == null) {
                    return Mono.error(new IllegalStateException(method + " returned null instead of a Mono"));
                }
                return ((Mono<?>) result).map(this::evidenceOf).onErrorMap(MethodTool::failure);
            });
        }
        return Mono.defer(() -> {
            Object result;
            try {
                result = invoke(request);
            } catch (InterruptedException e) {
                // cancelled (a timeout, the deadline, the caller gone): nobody waits for an outcome, and an error
                // signal would only be dropped and logged
                Thread.currentThread().interrupt();
                return Mono.empty();
            } catch (Throwable e) {
                Exceptions.throwIfJvmFatal(e);
                return Mono.error(failure(e));
            }
            return Mono.justOrEmpty(result).map(this::evidenceOf);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private Object invoke(ToolRequest request) throws Throwable {
        Object[] args = ToolArguments.of(method, request);
        try {
            return invocable.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() != null ? e.getCause() : e;
        }
    }

    private Evidence evidenceOf(Object result) {
        if (result instanceof Evidence evidence) {
            return evidence;
        }
        if (result instanceof CharSequence text) {
            return Evidence.of(text.toString());
        }
        try {
            return Evidence.of(resultWriter.writeValueAsString(result));
        } catch (JacksonException e) {
            throw new ToolException(name() + " returned a " + result.getClass().getSimpleName()
                    + " that cannot be written as JSON: " + e.getOriginalMessage(), false, e);
        }
    }

    /** What a failed call signals: an {@link IllegalArgumentException} is bad input, anything else as thrown. */
    private static Throwable failure(Throwable e) {
        if (e instanceof IllegalArgumentException) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new ToolException(message, false, e);
        }
        return e;
    }

    @Override
    public String toString() {
        return "MethodTool[" + name() + " -> " + method + "]";
    }
}
