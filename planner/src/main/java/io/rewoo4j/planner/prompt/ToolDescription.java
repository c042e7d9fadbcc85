package io.rewoo4j.planner.prompt;

import java.util.Objects;

/** A tool as the planner prompt shows it to the model: {@code Name[input]: description}. */
public record ToolDescription(String name, String description) {

    public ToolDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
    }
}
