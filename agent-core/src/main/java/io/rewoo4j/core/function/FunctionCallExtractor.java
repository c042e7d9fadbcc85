package io.rewoo4j.core.function;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.JsonNode;

/**
 * Reads the function call out of a model's answer, which is rarely just the object: models wrap it in Markdown
 * fences, explain it before and after, answer in YAML, or write JSON loosely.
 *
 * <h2>Rules, in order</h2>
 * <ol>
 *   <li><b>JSON.</b> At each opening brace in the text, in order, a JSON object is read with a real JSON parser
 *       (so a brace or quote inside a string is never misread); reading stops at the object's end, and what follows
 *       is ignored. The first object that is a call (below) wins; objects that are not calls are skipped, and so is
 *       a brace that starts no valid object (prose, code). The parser accepts single-quoted strings, trailing
 *       commas, comments and raw line breaks in strings; a property given twice makes the object invalid.</li>
 *   <li><b>YAML</b>, when no JSON call was found. A YAML block starts at a line whose first key is
 *       {@code function}, {@code params} or {@code parameters}, and runs on while lines are blank, indented
 *       deeper, or further {@code key:} lines at the same indentation; so prose before or after it, and Markdown
 *       fence lines, are outside it. The first block that reads as a call wins.</li>
 * </ol>
 * A JSON object that names a function but is cut off by the end of the text (an answer that hit the token limit)
 * ends the search with {@link DispatchException.NoFunctionCall}: neither an object nested in its params nor its
 * first lines read as YAML are the call the model was writing.
 * <h2>A call</h2>
 * An object with a {@code "function"} that is a non-blank string (or an object with a string {@code "name"},
 * OpenAI-style). Its params are the first present of {@code "params"}, {@code "parameters"} and
 * {@code "arguments"} (at the top, or inside the {@code "function"} object); an {@code "arguments"} string holding
 * a JSON object, as OpenAI writes it, is read as that object. No params means empty params. Other keys are
 * ignored.
 * <p>
 * Only the first call is taken: one answer is one call.
 */
public final class FunctionCallExtractor {

    /** At most this many opening braces are tried, so a pathological text cannot make extraction quadratic. */
    static final int MAX_JSON_CANDIDATES = 256;

    private static final int EXCERPT_CHARS = 200;

    private static final Pattern YAML_START =
            Pattern.compile("^([ \\t]*)([\"']?)(function|params|parameters)\\2[ \\t]*:(?:[ \\t]|$)");
    private static final Pattern YAML_KEY = Pattern.compile("^[\"']?[A-Za-z_][\\w-]*[\"']?[ \\t]*:(?:[ \\t]|$)");
    private static final List<String> PARAMS_KEYS = List.of("params", "parameters", "arguments");

    private FunctionCallExtractor() {
    }

    /**
     * The first function call in {@code text}; see the class rules.
     *
     * @throws DispatchException.NoFunctionCall if there is none, with the reason and the (abbreviated) text
     */
    public static FunctionCall extract(String text) {
        if (text == null || text.isBlank()) {
            throw new DispatchException.NoFunctionCall("the text is empty", quote(text == null ? "" : text));
        }
        JsonScan json = scanJson(text);
        if (json.call != null) {
            return json.call;
        }
        if (json.cutOffCall) {
            // its first lines could read as YAML ("function": "f"), and calling what is left of it would be a guess;
            // so could an object nested in its params
            throw new DispatchException.NoFunctionCall(json.problem, quote(text));
        }
        Reading yaml = scanYaml(text);
        if (yaml.call() != null) {
            return yaml.call();
        }
        String problem = json.problem != null ? json.problem : yaml.problem();
        throw new DispatchException.NoFunctionCall(problem != null ? problem
                : "no JSON object or YAML mapping with a \"function\" name", quote(text));
    }

    /**
     * The call a still-growing text already settles: the JSON call that {@link #extract} will return however the
     * text goes on. Empty while a JSON object that began earlier is still open (the call found could be nested in
     * it), or when no complete JSON call is there yet. Lets a caller stop the model as soon as the call is written.
     */
    public static Optional<FunctionCall> settledJsonCall(CharSequence prefix) {
        JsonScan scan = scanJson(prefix.toString());
        return scan.call != null && !scan.openBefore ? Optional.of(scan.call) : Optional.empty();
    }

    // --- JSON -----------------------------------------------------------------------------------------------

    private static final class JsonScan {
        FunctionCall call;
        String problem;
        /** whether a candidate before the call found failed at the end of the text, so more text could change it */
        boolean openBefore;
        /** whether an object naming a function is cut off by the end of the text */
        boolean cutOffCall;
    }

    private static JsonScan scanJson(String text) {
        JsonScan scan = new JsonScan();
        char[] chars = text.toCharArray();
        int tried = 0;
        for (int i = text.indexOf('{'); i >= 0 && tried < MAX_JSON_CANDIDATES; i = text.indexOf('{', i + 1)) {
            tried++;
            int length = chars.length - i;
            JsonNode node;
            JsonParser parser = Mappers.LENIENT.createParser(chars, i, length);
            try (parser) {
                node = Mappers.LENIENT.readTree(parser);
            } catch (JacksonException e) {
                boolean endOfInput = e instanceof UnexpectedEndOfInputException;
                // an error at the very end may be the text being cut off (a growing prefix) rather than bad JSON;
                // the position test is deliberately loose: a false "open" only delays the early stop
                if (endOfInput || parser.currentLocation().getCharOffset() >= length - 1) {
                    scan.openBefore = true;
                }
                if (endOfInput && namesFunction(chars, i, length)) {
                    // a call cut off by the end of the text; every later brace is inside it, and taking an object
                    // nested in its params for the call would be wrong
                    scan.cutOffCall = true;
                    scan.problem = "the text ends inside a JSON object (cut off by the token limit?)";
                    return scan;
                }
                if (!endOfInput && scan.problem == null && e.getOriginalMessage().startsWith("Duplicate")) {
                    scan.problem = "a JSON object is ambiguous: " + e.getOriginalMessage();
                }
                continue;
            }
            Reading reading = read(node);
            if (reading.call() != null) {
                scan.call = reading.call();
                return scan;
            }
            if (scan.problem == null) {
                scan.problem = reading.problem();
            }
        }
        return scan;
    }

    /** Whether the (cut-off) object at {@code offset} has a {@code "function"} property of its own before the end. */
    private static boolean namesFunction(char[] chars, int offset, int length) {
        int depth = 0;
        try (JsonParser parser = Mappers.LENIENT.createParser(chars, offset, length)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                } else if (token == JsonToken.PROPERTY_NAME && depth == 1 && parser.currentName().equals("function")) {
                    return true;
                }
            }
        } catch (JacksonException e) {
            // the end of the text, as expected
        }
        return false;
    }

    // --- YAML -----------------------------------------------------------------------------------------------

    private static Reading scanYaml(String text) {
        String[] lines = text.split("\\R", -1);
        String problem = null;
        int i = 0;
        while (i < lines.length) {
            Matcher start = YAML_START.matcher(lines[i]);
            if (!start.find()) {
                i++;
                continue;
            }
            int indent = start.group(1).length();
            int end = i + 1;
            while (end < lines.length && continuesBlock(lines[end], indent)) {
                end++;
            }
            StringBuilder block = new StringBuilder();
            for (int k = i; k < end; k++) {
                String line = lines[k];
                block.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
            }
            try {
                Reading reading = read(Mappers.YAML.readTree(block.toString()));
                if (reading.call() != null) {
                    return reading;
                }
                if (problem == null) {
                    problem = reading.problem();
                }
            } catch (JacksonException e) {
                // not YAML after all; look further
            }
            i = end;
        }
        return new Reading(null, problem);
    }

    private static boolean continuesBlock(String line, int indent) {
        if (line.isBlank()) {
            return true;
        }
        int lead = 0;
        while (lead < line.length() && (line.charAt(lead) == ' ' || line.charAt(lead) == '\t')) {
            lead++;
        }
        if (lead > indent) {
            return true;
        }
        return lead == indent && YAML_KEY.matcher(line.substring(lead)).find();
    }

    // --- call objects ---------------------------------------------------------------------------------------

    /** A call read from an object, or why the object is not one ({@code problem} is null when it is no candidate). */
    record Reading(FunctionCall call, String problem) {
    }

    static Reading read(JsonNode node) {
        if (node == null || !node.isObject()) {
            return new Reading(null, null);
        }
        JsonNode function = node.get("function");
        if (function == null) {
            return new Reading(null, null);
        }
        JsonNode name = function;
        JsonNode inner = null;
        if (function.isObject()) {
            inner = function;
            name = function.get("name");
            if (name == null || !name.isString()) {
                return new Reading(null, "\"function\" is an object without a string \"name\"");
            }
        } else if (!function.isString()) {
            return new Reading(null, "\"function\" should be the function's name, but is " + Mappers.describe(function));
        }
        if (name.stringValue().isBlank()) {
            return new Reading(null, "\"function\" is blank");
        }
        JsonNode params = paramsOf(node);
        if (params == null && inner != null) {
            params = paramsOf(inner);
        }
        return new Reading(new FunctionCall(name.stringValue(), params), null);
    }

    private static JsonNode paramsOf(JsonNode object) {
        for (String key : PARAMS_KEYS) {
            JsonNode params = object.get(key);
            if (params != null) {
                return key.equals("arguments") && params.isString() ? argumentsString(params) : params;
            }
        }
        return null;
    }

    /** OpenAI writes arguments as a string of JSON; read it if it is an object, else leave it for validation. */
    private static JsonNode argumentsString(JsonNode arguments) {
        try {
            JsonNode parsed = Mappers.STRICT.readTree(arguments.stringValue());
            return parsed.isObject() ? parsed : arguments;
        } catch (JacksonException e) {
            return arguments;
        }
    }

    private static String quote(String text) {
        return '"' + Mappers.abbreviate(text.strip(), EXCERPT_CHARS) + '"';
    }
}
