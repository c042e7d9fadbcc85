package io.rewoo4j.config.model;

/**
 * Whether a model is configured and usable, for health, the REST API and the CLI.
 *
 * @param available   whether model calls can be made
 * @param description the provider and where it runs ({@code openai http://localhost:8000 ...}), or {@code none}
 * @param reason      when unavailable, why and what to configure; {@code null} otherwise
 */
public record ModelStatus(boolean available, String description, String reason) {

    /** Throws {@link ModelUnavailableException} with the reason when no model is usable. */
    public void requireAvailable() {
        if (!available) {
            throw new ModelUnavailableException(reason);
        }
    }
}
