package io.rewoo4j.tools.search;

import io.rewoo4j.tools.http.FetchRequest;
import io.rewoo4j.tools.http.FormField;
import io.rewoo4j.tools.http.HttpUrl;
import io.rewoo4j.tools.http.InvalidUrlException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jsoup.nodes.Element;

/** Builds the request a browser would send on submitting an HTML form (its named inputs, in order). */
final class FormRequests {

    private FormRequests() {
    }

    /** The request for {@code form} on the page at {@code pageUrl}, or null when its action is unusable. */
    static FetchRequest from(Element form, HttpUrl pageUrl) {
        List<FormField> fields = new ArrayList<>();
        for (Element input : form.select("input[name]")) {
            String type = input.attr("type").toLowerCase(Locale.ROOT);
            if (type.equals("submit") || type.equals("button") || type.equals("image") || type.equals("reset")) {
                continue;
            }
            fields.add(new FormField(input.attr("name"), input.val()));
        }
        String action = form.attr("action");
        HttpUrl target;
        try {
            target = action.isBlank() ? pageUrl : pageUrl.resolve(action);
        } catch (InvalidUrlException e) {
            return null;
        }
        if (form.attr("method").equalsIgnoreCase("post")) {
            return FetchRequest.postForm(target, fields);
        }
        StringBuilder query = new StringBuilder();
        for (FormField f : fields) {
            query.append(query.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(f.name(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(f.value(), StandardCharsets.UTF_8));
        }
        return FetchRequest.get(target.withoutFragment().resolve("?" + query));
    }
}
