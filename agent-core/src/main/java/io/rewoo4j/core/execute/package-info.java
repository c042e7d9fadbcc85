/**
 * The reactive DAG executor: {@link io.rewoo4j.core.execute.PlanExecutor} runs streamed or complete plans with
 * dependency-driven concurrency, concurrency limits, resilience policies, a deadline and cancellation.
 */
package io.rewoo4j.core.execute;
