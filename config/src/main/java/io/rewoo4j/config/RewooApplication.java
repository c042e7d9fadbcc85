package io.rewoo4j.config;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The runnable rewoo4j application; started by {@code rewoo serve}. */
@SpringBootApplication
public class RewooApplication {
}
