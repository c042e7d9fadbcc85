package io.rewoo4j.config.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps {@code docs/configuration.md} in step with the configuration metadata the build generates: every
 * {@code rewoo.*} property is documented there, and nothing documented there has gone.
 */
class ConfigurationReferenceTest {

    @Test
    void everyPropertyIsInTheReferenceAndEveryReferencedPropertyExists() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated configuration metadata").isNotNull();
            metadata = JsonMapper.builder().build().readTree(in);
        }
        List<String> properties = new ArrayList<>();
        for (JsonNode p : metadata.get("properties")) {
            String name = p.get("name").asString();
            if (name.startsWith("rewoo.")) {
                // Map-valued groups are documented with a NAME placeholder.
                properties.add(name.equals("rewoo.agent.tools") ? "rewoo.agent.tools.NAME.*" : name);
            }
        }
        String reference = Files.readString(Path.of("..", "docs", "configuration.md"));

        // Regenerate with: python3 config/scripts/configuration_reference.py
        assertThat(properties).isNotEmpty().allSatisfy(name ->
                assertThat(reference).as("docs/configuration.md documents %s", name).contains("`" + name + "`"));
        List<String> documented = reference.lines().filter(l -> l.startsWith("| `rewoo."))
                .map(l -> l.substring(3, l.indexOf('`', 3))).toList();
        assertThat(properties).containsAll(documented);
    }
}
