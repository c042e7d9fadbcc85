package io.rewoo4j.tools.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One request for {@link SafeHttpFetcher}: a GET, or a POST of an HTML form. Extra headers (a {@code Referer},
 * {@code Accept-Language}, ...) are sent in addition to the fetcher's fixed ones; a {@code Host} header given here
 * is ignored, because the fetcher sets it to the URL's host.
 *
 * @param method  GET or POST
 * @param url     where to send it
 * @param headers extra request headers, in order
 * @param form    the form fields of a POST, in order; empty for a GET
 */
public record FetchRequest(Method method, HttpUrl url, Map<String, String> headers, List<FormField> form) {

    /** The request methods the fetcher supports. */
    public enum Method { GET, POST }

    public FetchRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        form = List.copyOf(form);
        if (method == Method.GET && !form.isEmpty()) {
            throw new IllegalArgumentException("a GET request has no form body");
        }
    }

    public static FetchRequest get(HttpUrl url) {
        return new FetchRequest(Method.GET, url, Map.of(), List.of());
    }

    public static FetchRequest postForm(HttpUrl url, List<FormField> form) {
        return new FetchRequest(Method.POST, url, Map.of(), form);
    }

    /** This request with one more header (replacing one of the same name, ignoring case). */
    public FetchRequest withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>();
        headers.forEach((k, v) -> {
            if (!k.equalsIgnoreCase(name)) {
                copy.put(k, v);
            }
        });
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new FetchRequest(method, url, copy, form);
    }

    /** The same request sent to another URL (a redirect hop that keeps the method). */
    public FetchRequest withUrl(HttpUrl newUrl) {
        return new FetchRequest(method, newUrl, headers, form);
    }

    /** The body as browsers encode a form: UTF-8, space as {@code +}. */
    public String encodedForm() {
        return form.stream()
                .map(f -> URLEncoder.encode(f.name(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(f.value(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
