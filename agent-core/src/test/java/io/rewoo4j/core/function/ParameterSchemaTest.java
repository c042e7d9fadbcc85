package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParameterSchemaTest {

    private static final String WEATHER_SCHEMA = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema",
             "type": "object", "title": "ignored annotation",
             "properties": {
               "location": {"type": "string", "description": "The city."},
               "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
               "days": {"type": "integer"},
               "tags": {"type": "array", "items": {"type": "string"}},
               "filters": {"properties": {"keyword": {"type": "string"}}, "required": ["keyword"]}},
             "required": ["location"]}""";

    @Test
    void readsAJsonSchemaDocumentEqualToTheBuilt() {
        ParameterSchema built = ParameterSchema.object("")
                .withRequired("location", ParameterSchema.string("The city."))
                .withOptional("unit", ParameterSchema.string("").withEnum("celsius", "fahrenheit"))
                .withOptional("days", ParameterSchema.integer(""))
                .withOptional("tags", ParameterSchema.array(ParameterSchema.string(""), ""))
                .withOptional("filters", ParameterSchema.object("")
                        .withRequired("keyword", ParameterSchema.string("")));
        ParameterSchema parsed = ParameterSchema.parse(WEATHER_SCHEMA);
        assertThat(parsed).isEqualTo(built);
        assertThat(parsed.properties().keySet()).containsExactly("location", "unit", "days", "tags", "filters");
    }

    @Test
    void roundTripsThroughJson() {
        ParameterSchema schema = ParameterSchema.parse(WEATHER_SCHEMA).withAdditionalProperties(true);
        assertThat(ParameterSchema.fromJson(schema.toJson())).isEqualTo(schema);
        assertThat(schema.toJson().get("additionalProperties").booleanValue()).isTrue();
    }

    @Test
    void refusesAssertionsItDoesNotEnforceNamingWhere() {
        assertThatThrownBy(() -> ParameterSchema.parse(
                "{\"type\": \"object\", \"properties\": {\"q\": {\"type\": \"string\", \"pattern\": \"^a\"}}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'pattern'").hasMessageContaining("/properties/q");
        assertThatThrownBy(() -> ParameterSchema.parse("{\"type\": [\"string\", \"null\"]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type lists");
        assertThatThrownBy(() -> ParameterSchema.parse("{\"type\": \"object\", \"additionalProperties\": "
                + "{\"type\": \"string\"}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("additionalProperties");
    }

    @Test
    void refusesInconsistentSchemas() {
        assertThatThrownBy(() -> ParameterSchema.parse("{\"type\": \"object\", \"required\": [\"q\"]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'q' is not declared");
        assertThatThrownBy(() -> ParameterSchema.parse("{\"type\": \"integer\", \"enum\": [1, \"two\"]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("string \"two\"");
        assertThatThrownBy(() -> ParameterSchema.parse("{\"description\": \"untyped\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no 'type'");
        assertThatThrownBy(() -> ParameterSchema.parse("{not json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ParameterSchema.object("").withRequired("a", ParameterSchema.string(""))
                .withOptional("a", ParameterSchema.integer("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already declared");
    }

    @Test
    void aFunctionsParametersMustBeAnObjectAndItsNameAKey() {
        assertThatThrownBy(() -> new FunctionSpec("f", "", ParameterSchema.string("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("object schema");
        assertThatThrownBy(() -> FunctionSpec.withoutParameters("get weather", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without whitespace");
        assertThat(FunctionSpec.withoutParameters("get_time", " Now. ").toJson().toString())
                .isEqualTo("{\"name\":\"get_time\",\"description\":\"Now.\",\"parameters\":"
                        + "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}}");
    }
}
