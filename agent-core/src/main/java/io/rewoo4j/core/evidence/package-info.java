/** Evidence values: a tool's output text and the sources it cites. */
package io.rewoo4j.core.evidence;
