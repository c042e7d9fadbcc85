/**
 * Tools from annotated methods: {@link io.rewoo4j.config.annotation.RewooTool} on a bean's method (its parameters
 * optionally described with {@link io.rewoo4j.config.annotation.ToolParam}) makes a
 * {@link io.rewoo4j.config.annotation.MethodTool}, registered as a {@code Tool} bean by
 * {@link io.rewoo4j.config.annotation.ToolMethodRegistrar}.
 */
package io.rewoo4j.config.annotation;
