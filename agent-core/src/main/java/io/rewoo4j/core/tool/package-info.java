/** The tool SPI, tool requests and the registry plans resolve tool names against. */
package io.rewoo4j.core.tool;
