/** The language model SPI the agent plans and solves with. */
package io.rewoo4j.core.model;
