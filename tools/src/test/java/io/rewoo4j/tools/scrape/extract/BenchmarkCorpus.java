package io.rewoo4j.tools.scrape.extract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The article-extraction-benchmark pages, read from the test class path ({@code article-extraction-benchmark/}:
 * {@code ground-truth.json} and {@code html/<id>.html.gz}), in the ground truth's order.
 */
final class BenchmarkCorpus {

    private static final String ROOT = "/article-extraction-benchmark/";

    /** One benchmark page: its HTML and the text a perfect extractor returns. */
    record Page(String id, String url, String html, String articleBody) {
    }

    private BenchmarkCorpus() {
    }

    static List<Page> load() {
        JsonNode truth = JsonMapper.shared().readTree(read(ROOT + "ground-truth.json", false));
        List<Page> pages = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : truth.properties()) {
            String id = entry.getKey();
            JsonNode page = entry.getValue();
            pages.add(new Page(id, page.path("url").asString(""), read(ROOT + "html/" + id + ".html.gz", true),
                    page.path("articleBody").asString("")));
        }
        return List.copyOf(pages);
    }

    private static String read(String resource, boolean gzipped) {
        try (InputStream raw = BenchmarkCorpus.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            try (InputStream in = gzipped ? new GZIPInputStream(raw) : raw) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read test resource " + resource, e);
        }
    }
}
