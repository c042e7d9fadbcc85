package io.rewoo4j.config.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.reactivestreams.Publisher;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

import io.rewoo4j.core.tool.ToolRequest;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a {@link RewooTool} method is as a tool, worked out once at startup: its name, descriptions, the shape of its
 * input and the input schema, how each parameter is filled, and whether it is reactive. Any method that cannot be a
 * tool is refused here, with the reason, so that a bad tool fails startup instead of its first call.
 */
final class ToolMethod {

    /** What the plan grammar accepts as a tool name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");

    /** How the step's input reaches the method. */
    enum InputShape {
        /** One {@code String} parameter receives the input text; no schema. */
        TEXT,
        /** No input parameters: the input is ignored. */
        NONE,
        /** A JSON object, one property per parameter. */
        JSON_OBJECT
    }

    /** Where one method parameter's value comes from. */
    sealed interface Slot {
    }

    /** The whole {@link ToolRequest}. */
    record RequestSlot() implements Slot {
    }

    /** The step's input text. */
    record TextSlot() implements Slot {
    }

    /** A property of the JSON input. */
    record PropertySlot(String name, String description, boolean required, ArgumentType type) implements Slot {
    }

    private final Method method;
    private final String name;
    private final String description;
    private final InputShape shape;
    private final List<Slot> slots;
    private final List<PropertySlot> properties;
    private final String inputSchema;
    private final String inputLine;
    private final boolean reactive;

    private ToolMethod(Method method, String name, String description, InputShape shape, List<Slot> slots,
                       String inputLine, boolean reactive) {
        this.method = method;
        this.name = name;
        this.description = description;
        this.shape = shape;
        this.slots = List.copyOf(slots);
        this.properties = slots.stream().filter(PropertySlot.class::isInstance).map(PropertySlot.class::cast).toList();
        this.inputSchema = shape == InputShape.TEXT ? null : schema(properties);
        this.inputLine = inputLine;
        this.reactive = reactive;
    }

    /** Every {@link RewooTool} method of the class (and its superclasses and interfaces), in a stable order. */
    static List<ToolMethod> declaredBy(Class<?> type) {
        Map<Method, RewooTool> found = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<RewooTool>) m ->
                        AnnotatedElementUtils.findMergedAnnotation(m, RewooTool.class));
        return found.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<Method, RewooTool> e) -> e.getKey().getName())
                        .thenComparing(e -> e.getKey().toGenericString()))
                .map(e -> of(e.getKey(), e.getValue()))
                .toList();
    }

    /**
     * The tool the method makes.
     *
     * @throws IllegalStateException naming the method and what is wrong with it
     */
    static ToolMethod of(Method method, RewooTool annotation) {
        String where = "@RewooTool method " + method.getDeclaringClass().getName() + "." + method.getName();
        String name = annotation.name().isEmpty()
                ? Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1)
                : annotation.name();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException(where + ": '" + name + "' is not a valid tool name (letters, digits, _, ."
                    + " and -, starting with a letter or _)");
        }
        String description = annotation.description().strip();
        if (description.isEmpty()) {
            throw new IllegalStateException(where + ": the description must say what the tool does");
        }
        boolean reactive = reactive(method, where);

        List<Slot> slots = new ArrayList<>();
        List<Parameter> inputs = new ArrayList<>();
        for (Parameter p : method.getParameters()) {
            if (p.getType() == ToolRequest.class) {
                slots.add(new RequestSlot());
            } else {
                slots.add(null); // filled below, once the shape is known
                inputs.add(p);
            }
        }
        InputShape shape = inputs.isEmpty() ? InputShape.NONE
                : inputs.size() == 1 && inputs.get(0).getType() == String.class ? InputShape.TEXT
                : InputShape.JSON_OBJECT;

        Set<String> names = new HashSet<>();
        int input = 0;
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) != null) {
                continue;
            }
            Parameter p = inputs.get(input++);
            slots.set(i, shape == InputShape.TEXT ? new TextSlot() : property(p, where));
            if (slots.get(i) instanceof PropertySlot ps && !names.add(ps.name())) {
                throw new IllegalStateException(where + ": two parameters are named '" + ps.name() + "'");
            }
        }
        String inputLine = inputLine(shape, slots, inputs);
        return new ToolMethod(method, name, description, shape, slots, inputLine, reactive);
    }

    private static PropertySlot property(Parameter p, String where) {
        ToolParam param = p.getAnnotation(ToolParam.class);
        String name = param != null && !param.name().isEmpty() ? param.name() : null;
        if (name == null) {
            if (!p.isNamePresent()) {
                throw new IllegalStateException(where + ": the name of parameter " + p.getName() + " is unknown; "
                        + "compile with -parameters or name it with @ToolParam(name = ...)");
            }
            name = p.getName();
        }
        boolean required = param == null || param.required();
        if (!required && p.getType().isPrimitive()) {
            throw new IllegalStateException(where + ": optional parameter '" + name + "' is a primitive "
                    + p.getType().getName() + ", which cannot be null when it is missing; use its boxed type");
        }
        String pwhere = where + ", parameter '" + name + "'";
        ArgumentType type = ArgumentType.of(p.getParameterizedType()).orElseThrow(() -> new IllegalStateException(
                pwhere + ": type " + p.getParameterizedType().getTypeName() + " is not supported; use "
                        + ArgumentType.SUPPORTED));
        return new PropertySlot(name, param == null ? "" : param.description().strip(), required, type);
    }

    private static boolean reactive(Method method, String where) {
        Class<?> returns = method.getReturnType();
        if (returns == void.class || returns == Void.class) {
            throw new IllegalStateException(where + " returns nothing; a tool must return its evidence (a String, "
                    + "an Evidence, any object to write as JSON, or a Mono of one)");
        }
        if (Mono.class.isAssignableFrom(returns)) {
            Type generic = method.getGenericReturnType();
            if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] == Void.class) {
                throw new IllegalStateException(where + " returns Mono<Void>; a tool must emit its evidence");
            }
            return true;
        }
        if (Publisher.class.isAssignableFrom(returns) || CompletionStage.class.isAssignableFrom(returns)
                || Future.class.isAssignableFrom(returns) || returns == Optional.class) {
            throw new IllegalStateException(where + " returns " + returns.getSimpleName() + "; return a Mono (or a "
                    + "plain value) instead");
        }
        return false;
    }

    private static String schema(List<PropertySlot> properties) {
        ObjectNode schema = JsonMapper.shared().createObjectNode();
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        for (PropertySlot p : properties) {
            ObjectNode property = props.putObject(p.name());
            p.type().describe(property);
            if (!p.description().isEmpty()) {
                property.put("description", p.description());
            }
        }
        List<String> required = properties.stream().filter(PropertySlot::required).map(PropertySlot::name).toList();
        if (!required.isEmpty()) {
            ArrayNode array = schema.putArray("required");
            required.forEach(array::add);
        }
        schema.put("additionalProperties", false);
        return schema.toString();
    }

    /** The sentence the planner sees about the input, after the description. */
    private static String inputLine(InputShape shape, List<Slot> slots, List<Parameter> inputs) {
        return switch (shape) {
            case NONE -> "Input: none.";
            case TEXT -> {
                ToolParam param = inputs.get(0).getAnnotation(ToolParam.class);
                yield param == null || param.description().isBlank() ? "" : "Input: " + sentence(param.description());
            }
            case JSON_OBJECT -> "Input: JSON " + jsonShape(slots) + ".";
        };
    }

    /** The JSON input as a one-line template: {@code {"amount": number, "to": "EUR"|"USD" (optional)}}. */
    private static String jsonShape(List<Slot> slots) {
        return slots.stream().filter(PropertySlot.class::isInstance).map(PropertySlot.class::cast)
                .map(p -> {
                    String note = (p.required() ? "" : "optional")
                            + (!p.required() && !p.description().isEmpty() ? "; " : "") + p.description();
                    return "\"" + p.name() + "\": " + p.type().shortForm() + (note.isEmpty() ? "" : " (" + note + ")");
                })
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String sentence(String text) {
        String t = text.strip();
        return t.isEmpty() || ".!?".indexOf(t.charAt(t.length() - 1)) >= 0 ? t : t + ".";
    }

    Method method() {
        return method;
    }

    String name() {
        return name;
    }

    String description() {
        return description;
    }

    /** The description and the input line, as the planner prompt shows the tool. */
    String plannerDescription() {
        return inputLine.isEmpty() ? description : sentence(description) + " " + inputLine;
    }

    InputShape shape() {
        return shape;
    }

    List<Slot> slots() {
        return slots;
    }

    List<PropertySlot> properties() {
        return properties;
    }

    /** The JSON Schema of the input; empty for free text. */
    Optional<String> inputSchema() {
        return Optional.ofNullable(inputSchema);
    }

    /** The JSON input as a one-line template, for bad-input messages. */
    String jsonShape() {
        return jsonShape(slots);
    }

    boolean reactive() {
        return reactive;
    }

    /** The lower-cased name, for the uniqueness check (the registry resolves names ignoring case). */
    String key() {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return method.getDeclaringClass().getName() + "." + method.getName();
    }
}
