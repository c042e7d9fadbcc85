package io.rewoo4j.config;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The runnable rewoo4j application: the auto-configuration and nothing else (no component scan, so that what runs
 * is exactly what a user of the starter gets). Started by {@code rewoo serve} and the other commands.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class RewooApplication {
}
