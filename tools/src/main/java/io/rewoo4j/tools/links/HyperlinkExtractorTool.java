package io.rewoo4j.tools.links;

import java.util.List;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolRequest;
import reactor.core.publisher.Mono;

/** {@code HyperlinkExtractor[text]}: the distinct http(s) links in the text, one per line, in order of appearance. */
public final class HyperlinkExtractorTool implements Tool {

    public static final String NAME = "HyperlinkExtractor";

    /** The seeds' description of the tool, which the planning model was trained with. */
    public static final String DESCRIPTION = "Extract links from plain text and produces a plain text, newline "
            + "delimited response of links.";

    private final HyperlinkExtractor extractor;

    public HyperlinkExtractorTool(HyperlinkExtractor extractor) {
        this.extractor = extractor;
    }

    public HyperlinkExtractorTool() {
        this(new HyperlinkExtractor());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return DESCRIPTION;
    }

    @Override
    public Mono<Evidence> execute(ToolRequest request) {
        // Linear in the text and allocation-light: cheap enough to run on the calling thread.
        return Mono.fromSupplier(() -> {
            List<String> links = extractor.extract(request.input());
            return Evidence.of(String.join("\n", links), links.stream().map(Source::of).toList());
        });
    }
}
