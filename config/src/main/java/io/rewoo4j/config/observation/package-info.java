/**
 * Observability of runs: {@link io.rewoo4j.config.observation.RunMetrics}, a
 * {@link io.rewoo4j.core.event.RunListener} that records runs and steps as Micrometer meters.
 */
package io.rewoo4j.config.observation;
