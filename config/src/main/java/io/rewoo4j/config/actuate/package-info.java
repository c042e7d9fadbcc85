/**
 * Actuator support: the {@code model} and {@code tools} health indicators, the extension point through which the
 * embedded runtime will report its backend and device ({@link io.rewoo4j.config.actuate.EmbeddedModelHealth}), and
 * the {@code rewoo} section of the {@code info} endpoint.
 */
package io.rewoo4j.config.actuate;
