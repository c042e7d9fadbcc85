package io.rewoo4j.core.function;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.rewoo4j.core.function.ParamViolation.Rule;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ParameterValidatorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final ParameterSchema TRIP = ParameterSchema.object("")
            .withRequired("location", ParameterSchema.string("City"))
            .withOptional("days", ParameterSchema.integer("How many days"))
            .withOptional("budget", ParameterSchema.number("Euros"))
            .withOptional("unit", ParameterSchema.string("Unit").withEnum("celsius", "fahrenheit"))
            .withOptional("level", ParameterSchema.integer("Level").withEnum(1, 2, 3))
            .withOptional("indoor", ParameterSchema.bool("Indoor only"))
            .withOptional("tags", ParameterSchema.array(ParameterSchema.string("A tag"), "Tags"))
            .withOptional("filters", ParameterSchema.object("")
                    .withRequired("keyword", ParameterSchema.string("Word"))
                    .withOptional("stops", ParameterSchema.array(ParameterSchema.object("")
                            .withRequired("city", ParameterSchema.string("City")), "Stops")));

    private static List<ParamViolation> validate(String params) {
        return ParameterValidator.validate(TRIP, JSON.readTree(params));
    }

    @Test
    void validParamsHaveNoViolations() {
        assertThat(validate("""
                {"location": "Paris", "days": 3, "budget": 120.5, "unit": "celsius", "level": 2, "indoor": false,
                 "tags": ["food", "art"], "filters": {"keyword": "museum", "stops": [{"city": "Lyon"}]}}""")).isEmpty();
    }

    @Test
    void aMissingRequiredPropertyIsNamedWithItsType() {
        assertThat(validate("{}")).containsExactly(
                new ParamViolation("/params/location", Rule.MISSING_REQUIRED, "string", "missing"));
        assertThat(validate("{\"location\": null}")).containsExactly(
                new ParamViolation("/params/location", Rule.MISSING_REQUIRED, "string", "null"));
        assertThat(validate("{}").get(0).message()).isEqualTo("/params/location: required string is missing");
    }

    @Test
    void typesAreNotCoerced() {
        assertThat(validate("{\"location\": 75001, \"days\": \"3\", \"indoor\": \"true\", \"budget\": \"12\"}"))
                .containsExactly(
                        new ParamViolation("/params/location", Rule.WRONG_TYPE, "string", "integer 75001"),
                        new ParamViolation("/params/days", Rule.WRONG_TYPE, "integer", "string \"3\""),
                        new ParamViolation("/params/budget", Rule.WRONG_TYPE, "number", "string \"12\""),
                        new ParamViolation("/params/indoor", Rule.WRONG_TYPE, "boolean", "string \"true\""));
    }

    @Test
    void anIntegerMustHaveNoFraction() {
        assertThat(validate("{\"location\": \"Paris\", \"days\": 2.5}")).containsExactly(
                new ParamViolation("/params/days", Rule.WRONG_TYPE, "integer", "number 2.5"));
        assertThat(validate("{\"location\": \"Paris\", \"days\": 2.0, \"budget\": 7}")).isEmpty();
        assertThat(validate("{\"location\": \"Paris\", \"days\": 2.5}").get(0).message())
                .isEqualTo("/params/days: expected integer, got number 2.5");
    }

    @Test
    void anEnumMissListsTheAllowedValues() {
        assertThat(validate("{\"location\": \"Paris\", \"unit\": \"kelvin\", \"level\": 4}")).containsExactly(
                new ParamViolation("/params/unit", Rule.NOT_IN_ENUM, "one of \"celsius\", \"fahrenheit\"",
                        "string \"kelvin\""),
                new ParamViolation("/params/level", Rule.NOT_IN_ENUM, "one of 1, 2, 3", "integer 4"));
        assertThat(validate("{\"location\": \"Paris\", \"level\": 2.0}")).isEmpty();
    }

    @Test
    void nestedObjectsAndArrayItemsHaveFullPaths() {
        assertThat(validate("""
                {"location": "Paris", "tags": ["food", 7],
                 "filters": {"stops": [{"city": "Lyon"}, {"town": "Dijon"}]}}""")).containsExactly(
                new ParamViolation("/params/tags/1", Rule.WRONG_TYPE, "string", "integer 7"),
                new ParamViolation("/params/filters/keyword", Rule.MISSING_REQUIRED, "string", "missing"),
                new ParamViolation("/params/filters/stops/1/city", Rule.MISSING_REQUIRED, "string", "missing"),
                new ParamViolation("/params/filters/stops/1/town", Rule.UNKNOWN_PROPERTY,
                        "declared: city", "string \"Dijon\""));
    }

    @Test
    void undeclaredPropertiesAreRejectedUnlessAllowed() {
        assertThat(validate("{\"location\": \"Paris\", \"colour/hue\": \"red\"}")).containsExactly(
                new ParamViolation("/params/colour~1hue", Rule.UNKNOWN_PROPERTY,
                        "declared: location, days, budget, unit, level, indoor, tags, filters", "string \"red\""));
        ParameterSchema open = ParameterSchema.object("").withRequired("q", ParameterSchema.string("Query"))
                .withAdditionalProperties(true);
        assertThat(ParameterValidator.validate(open, JSON.readTree("{\"q\": \"x\", \"anything\": [1]}"))).isEmpty();
    }

    @Test
    void aNullOptionalPropertyCountsAsLeftOut() {
        assertThat(validate("{\"location\": \"Paris\", \"unit\": null, \"days\": null}")).isEmpty();
    }

    @Test
    void paramsThatAreNotAnObjectAreOneViolation() {
        List<ParamViolation> violations = ParameterValidator.validate(TRIP, JSON.readTree("\"Paris\""));
        assertThat(violations).containsExactly(
                new ParamViolation("/params", Rule.WRONG_TYPE, "object", "string \"Paris\""));
    }

    @Test
    void collectsEveryViolationAtOnce() {
        JsonNode params = JSON.readTree("{\"days\": \"x\", \"unit\": \"k\", \"extra\": 1}");
        assertThat(ParameterValidator.validate(TRIP, params)).extracting(ParamViolation::rule)
                .containsExactly(Rule.MISSING_REQUIRED, Rule.WRONG_TYPE, Rule.NOT_IN_ENUM, Rule.UNKNOWN_PROPERTY);
    }
}
