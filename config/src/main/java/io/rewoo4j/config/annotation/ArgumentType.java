package io.rewoo4j.config.annotation;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Java type of a tool method's parameter: the JSON Schema that describes it, and how a JSON value becomes it.
 *
 * <p>Conversion follows the schema, with the leniency a model's plan needs and nothing more: a number or a boolean
 * written as a string ({@code "3"}, {@code "true"}) is accepted for a number or boolean parameter, a number or
 * boolean is accepted as its text for a string parameter, and enum constants match ignoring case. A fractional
 * number is never truncated to an integer, and an integer out of the Java type's range is refused.
 */
sealed interface ArgumentType {

    /** The type's keywords ({@code type}, {@code enum}, {@code items}) added to a JSON Schema object. */
    void describe(ObjectNode schema);

    /** The type as the planner's input line shows it: {@code string}, {@code "A"|"B"}, {@code [integer]}. */
    String shortForm();

    /**
     * The Java value of a non-null JSON value.
     *
     * @throws InvalidArgumentException saying what was expected
     */
    Object convert(JsonNode value);

    /** The argument type of a parameter's generic type; empty when it is not supported. */
    static Optional<ArgumentType> of(Type type) {
        if (type instanceof Class<?> c) {
            if (c == String.class) {
                return Optional.of(new Text());
            }
            if (c == boolean.class || c == Boolean.class) {
                return Optional.of(new Bool());
            }
            if (c.isEnum()) {
                return Optional.of(new EnumValue(c));
            }
            return Integral.of(c).<ArgumentType>map(t -> t).or(() -> Decimal.of(c));
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return of(p.getActualTypeArguments()[0])
                    .filter(item -> !(item instanceof ListOf))
                    .map(ListOf::new);
        }
        return Optional.empty();
    }

    /** What every supported type is, for the startup error about an unsupported one. */
    String SUPPORTED = "String, boolean, int, long, short, byte, BigInteger, double, float, BigDecimal (primitive or "
            + "boxed), an enum, or a List of one of these";

    /** A JSON value that does not fit the parameter; the message completes "parameter 'x' must be ...". */
    final class InvalidArgumentException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidArgumentException(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code value} as a short JSON excerpt for messages. */
    static String excerpt(JsonNode value) {
        String json = value.toString();
        return json.length() <= 60 ? json : json.substring(0, 57) + "...";
    }

    /** {@code String}. */
    record Text() implements ArgumentType {
        @Override
        public void describe(ObjectNode schema) {
            schema.put("type", "string");
        }

        @Override
        public String shortForm() {
            return "string";
        }

        @Override
        public Object convert(JsonNode value) {
            if (value.isString()) {
                return value.stringValue();
            }
            if (value.isNumber() || value.isBoolean()) {
                return value.asString();
            }
            throw new InvalidArgumentException("a string, not " + excerpt(value));
        }
    }

    /** {@code boolean} or {@code Boolean}. */
    record Bool() implements ArgumentType {
        @Override
        public void describe(ObjectNode schema) {
            schema.put("type", "boolean");
        }

        @Override
        public String shortForm() {
            return "boolean";
        }

        @Override
        public Object convert(JsonNode value) {
            if (value.isBoolean()) {
                return value.booleanValue();
            }
            if (value.isString()) {
                String s = value.stringValue().strip();
                if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                    return Boolean.valueOf(s);
                }
            }
            throw new InvalidArgumentException("a boolean, not " + excerpt(value));
        }
    }

    /** An integer type, with its range. */
    record Integral(Class<?> javaType, BigInteger min, BigInteger max) implements ArgumentType {

        private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

        static Optional<Integral> of(Class<?> c) {
            Integral t = null;
            if (c == int.class || c == Integer.class) {
                t = new Integral(c, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE));
            } else if (c == long.class || c == Long.class) {
                t = new Integral(c, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE));
            } else if (c == short.class || c == Short.class) {
                t = new Integral(c, BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE));
            } else if (c == byte.class || c == Byte.class) {
                t = new Integral(c, BigInteger.valueOf(Byte.MIN_VALUE), BigInteger.valueOf(Byte.MAX_VALUE));
            } else if (c == BigInteger.class) {
                t = new Integral(c, null, null);
            }
            return Optional.ofNullable(t);
        }

        @Override
        public void describe(ObjectNode schema) {
            schema.put("type", "integer");
        }

        @Override
        public String shortForm() {
            return "integer";
        }

        @Override
        public Object convert(JsonNode value) {
            BigInteger n = integerOf(value);
            if (n == null) {
                throw new InvalidArgumentException("an integer, not " + excerpt(value));
            }
            if ((min != null && n.compareTo(min) < 0) || (max != null && n.compareTo(max) > 0)) {
                throw new InvalidArgumentException("an integer from " + min + " to " + max + ", not " + excerpt(value));
            }
            Class<?> c = javaType;
            if (c == int.class || c == Integer.class) {
                return n.intValue();
            }
            if (c == long.class || c == Long.class) {
                return n.longValue();
            }
            if (c == short.class || c == Short.class) {
                return n.shortValue();
            }
            if (c == byte.class || c == Byte.class) {
                return n.byteValue();
            }
            return n;
        }

        private static BigInteger integerOf(JsonNode value) {
            if (value.isIntegralNumber()) {
                return value.bigIntegerValue();
            }
            if (value.isNumber()) {
                // JSON Schema counts 3.0 as an integer; 3.5 is not one
                try {
                    return value.decimalValue().toBigIntegerExact();
                } catch (ArithmeticException e) {
                    return null;
                }
            }
            if (value.isString() && INTEGER.matcher(value.stringValue().strip()).matches()) {
                return new BigInteger(value.stringValue().strip());
            }
            return null;
        }
    }

    /** A floating-point or decimal type. */
    record Decimal(Class<?> javaType) implements ArgumentType {

        static Optional<Decimal> of(Class<?> c) {
            boolean decimal = c == double.class || c == Double.class || c == float.class || c == Float.class
                    || c == BigDecimal.class;
            return decimal ? Optional.of(new Decimal(c)) : Optional.empty();
        }

        @Override
        public void describe(ObjectNode schema) {
            schema.put("type", "number");
        }

        @Override
        public String shortForm() {
            return "number";
        }

        @Override
        public Object convert(JsonNode value) {
            BigDecimal n = null;
            if (value.isNumber()) {
                n = value.decimalValue();
            } else if (value.isString()) {
                try {
                    n = new BigDecimal(value.stringValue().strip());
                } catch (NumberFormatException e) {
                    n = null;
                }
            }
            if (n == null) {
                throw new InvalidArgumentException("a number, not " + excerpt(value));
            }
            if (javaType == BigDecimal.class) {
                return n;
            }
            double d = n.doubleValue();
            if (javaType == float.class || javaType == Float.class) {
                float f = (float) d;
                if (Float.isInfinite(f)) {
                    throw new InvalidArgumentException("a number within float's range, not " + excerpt(value));
                }
                return f;
            }
            if (Double.isInfinite(d)) {
                throw new InvalidArgumentException("a number within double's range, not " + excerpt(value));
            }
            return d;
        }
    }

    /** An enum: its constants' names are the allowed strings. */
    record EnumValue(Class<?> javaType) implements ArgumentType {

        List<String> names() {
            return Arrays.stream(javaType.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList();
        }

        @Override
        public void describe(ObjectNode schema) {
            schema.put("type", "string");
            ArrayNode values = schema.putArray("enum");
            names().forEach(values::add);
        }

        @Override
        public String shortForm() {
            return String.join("|", names().stream().map(n -> "\"" + n + "\"").toList());
        }

        @Override
        public Object convert(JsonNode value) {
            if (value.isString()) {
                String s = value.stringValue().strip();
                Object[] constants = javaType.getEnumConstants();
                for (Object c : constants) {
                    if (((Enum<?>) c).name().equals(s)) {
                        return c;
                    }
                }
                for (Object c : constants) {
                    if (((Enum<?>) c).name().toLowerCase(Locale.ROOT).equals(s.toLowerCase(Locale.ROOT))) {
                        return c;
                    }
                }
            }
            throw new InvalidArgumentException("one of " + String.join(", ", names()) + ", not " + excerpt(value));
        }
    }

    /** A {@code List} of a non-list type. */
    record ListOf(ArgumentType item) implements ArgumentType {
        @Override
        public void describe(ObjectNode schema) {
            schema.put("type", "array");
            item.describe(schema.putObject("items"));
        }

        @Override
        public String shortForm() {
            return "[" + item.shortForm() + "]";
        }

        @Override
        public Object convert(JsonNode value) {
            if (!value.isArray()) {
                throw new InvalidArgumentException("an array of " + item.shortForm() + ", not " + excerpt(value));
            }
            List<Object> out = new ArrayList<>(value.size());
            for (int i = 0; i < value.size(); i++) {
                JsonNode element = value.get(i);
                if (element.isNull()) {
                    throw new InvalidArgumentException("an array without nulls, not " + excerpt(value));
                }
                try {
                    out.add(item.convert(element));
                } catch (InvalidArgumentException e) {
                    throw new InvalidArgumentException("an array of " + item.shortForm() + " (item " + i + " is not "
                            + "one: expected " + e.getMessage() + ")");
                }
            }
            return List.copyOf(out);
        }
    }
}
