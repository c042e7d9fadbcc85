/** Run events: the stream a client watches while a run plans, executes and answers. */
package io.rewoo4j.core.event;
