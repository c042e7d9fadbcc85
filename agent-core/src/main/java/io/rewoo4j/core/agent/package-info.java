/** The agent facade: question → plan (streamed from the model) → concurrent execution → answer. */
package io.rewoo4j.core.agent;
