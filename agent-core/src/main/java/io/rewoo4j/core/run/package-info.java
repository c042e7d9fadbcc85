/** Run and step results, their statuses and errors, and the run store SPI. */
package io.rewoo4j.core.run;
