/** Per-tool resilience policies (timeout, retry, circuit breaker, bulkhead, concurrency) and their application. */
package io.rewoo4j.core.resilience;
