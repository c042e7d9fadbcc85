package io.rewoo4j.config.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes a parameter of a {@link RewooTool} method: the property of the JSON input it is read from. Optional on
 * every parameter; without it the parameter is required and named as in the source.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ToolParam {

    /**
     * The property name in the JSON input. Empty for the Java parameter's name, which needs the class compiled with
     * {@code -parameters} (Spring Boot's Maven and Gradle plugins set it); without it, startup fails asking for this.
     */
    String name() default "";

    /** What the parameter means, for the model (in the input schema and the planner's description). */
    String description() default "";

    /**
     * Whether the input must contain the property. A missing (or {@code null}) optional parameter is passed as
     * {@code null}, so it must not be a primitive type.
     */
    boolean required() default true;
}
