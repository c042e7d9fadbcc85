package io.rewoo4j.tools.http;

import java.util.Objects;

/** One name/value pair of an {@code application/x-www-form-urlencoded} body, kept in the order given. */
public record FormField(String name, String value) {

    public FormField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
