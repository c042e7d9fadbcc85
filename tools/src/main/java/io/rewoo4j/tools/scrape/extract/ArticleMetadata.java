package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a page says about its article in metadata: the headline and body from schema.org JSON-LD
 * ({@code Article}, {@code NewsArticle}, {@code BlogPosting}, …) and the Open Graph / Twitter card title.
 *
 * @param headline    the JSON-LD {@code headline} (or {@code name} of an article object); empty when absent
 * @param socialTitle {@code og:title}, else {@code twitter:title}; empty when absent
 * @param siteName    {@code og:site_name}; empty when absent
 * @param articleBody the longest JSON-LD {@code articleBody}; empty when absent. Often abridged or flattened
 *                    into one paragraph, so it stands in only for pages whose HTML holds much less text (pages
 *                    that render their article with scripts)
 */
record ArticleMetadata(String headline, String socialTitle, String siteName, String articleBody) {

    /** Pages embed hand-written JSON-LD: raw line breaks in strings and trailing commas are common. */
    private static final JsonMapper LENIENT_JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS, JsonReadFeature.ALLOW_TRAILING_COMMA,
                    JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();

    static ArticleMetadata read(Document document) {
        String headline = "";
        String articleBody = "";
        for (Element script : document.select("script[type=application/ld+json]")) {
            JsonNode root = parse(script.data());
            if (root == null) {
                continue;
            }
            Deque<JsonNode> pending = new ArrayDeque<>();
            pending.push(root);
            while (!pending.isEmpty()) {
                JsonNode node = pending.pop();
                if (node.isObject()) {
                    if (headline.isEmpty() && isArticle(node)) {
                        headline = text(node, "headline");
                        if (headline.isEmpty()) {
                            headline = text(node, "name");
                        }
                    }
                    String body = text(node, "articleBody");
                    if (body.length() > articleBody.length()) {
                        articleBody = body;
                    }
                }
                if (node.isContainer()) {
                    for (JsonNode child : node.values()) {
                        pending.push(child);
                    }
                }
            }
        }
        String socialTitle = meta(document, "og:title");
        if (socialTitle.isEmpty()) {
            socialTitle = meta(document, "twitter:title");
        }
        return new ArticleMetadata(headline, socialTitle, meta(document, "og:site_name"), articleBody);
    }

    /** The parsed JSON, or {@code null}: a page's broken metadata must not stop reading its text. */
    private static JsonNode parse(String json) {
        String trimmed = json.strip();
        if (trimmed.startsWith("<!--")) {
            trimmed = trimmed.substring(4);
        }
        if (trimmed.endsWith("-->")) {
            trimmed = trimmed.substring(0, trimmed.length() - 3);
        }
        if (trimmed.isBlank()) {
            return null;
        }
        try {
            return LENIENT_JSON.readTree(trimmed);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static boolean isArticle(JsonNode node) {
        JsonNode type = node.get("@type");
        if (type == null) {
            return node.has("articleBody");
        }
        for (JsonNode value : type.isArray() ? type.values() : List.of(type)) {
            String name = value.asString("").toLowerCase(Locale.ROOT);
            if (name.endsWith("article") || name.equals("blogposting") || name.equals("report")
                    || name.equals("webpage") && node.has("articleBody")) {
                return true;
            }
        }
        return node.has("articleBody");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue().strip() : "";
    }

    private static String meta(Document document, String property) {
        Element meta = document.selectFirst("meta[property=" + property + "], meta[name=" + property + "]");
        return meta == null ? "" : meta.attr("content").strip();
    }
}
