package io.rewoo4j.tools.knowledge;

import java.util.List;
import java.util.Objects;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.model.GenerationOptions;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.model.LanguageModel;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.planner.prompt.PromptFormat;
import reactor.core.publisher.Mono;

/**
 * {@code KnowledgeModel[question with :evidenceN:]}: answers a question from the evidence it references, with the
 * context-obedient prompt the served models were tuned on (see {@link ContextPrompt}). Its output is the answer, with
 * the sources of the evidence it was shown.
 */
public final class KnowledgeModelTool implements Tool {

    public static final String NAME = "KnowledgeModel";

    /** The seeds' description of the tool, which the planning model was trained with. */
    public static final String DESCRIPTION = "Question answering language model, particularly useful in answering "
            + "questions based on an input passage of text. The input must be a text question that references an "
            + ":evidence[n]: variable, e.g. What color is the cat, given :evidence1:?";

    private final LanguageModel model;
    private final PromptFormat format;
    private final KnowledgeModelOptions options;

    public KnowledgeModelTool(LanguageModel model, PromptFormat format, KnowledgeModelOptions options) {
        this.model = Objects.requireNonNull(model, "model");
        this.format = Objects.requireNonNull(format, "format");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return DESCRIPTION;
    }

    /** The prompt this tool would send for a request (also what {@link #execute} sends). */
    public String prompt(ToolRequest request) {
        return render(request).prompt();
    }

    @Override
    public Mono<Evidence> execute(ToolRequest request) {
        return Mono.defer(() -> {
            ContextPrompt.Rendered rendered = render(request);
            GenerationOptions generation = GenerationOptions.defaults()
                    .withMaxTokens(options.answerTokens())
                    .withTemperature(options.temperature())
                    .withStopSequences(format.stopSequences());
            return model.generate(new GenerationRequest(rendered.prompt(), generation))
                    .collect(StringBuilder::new, StringBuilder::append)
                    .map(answer -> answer.toString().strip())
                    .flatMap(answer -> answer.isEmpty()
                            ? Mono.error(new ToolException("the model gave an empty answer", true))
                            : Mono.just(Evidence.of(answer, citations(rendered.sources()))));
        });
    }

    /**
     * The sources an answer cites: those it was shown, without their excerpts (the answer is not any one source's
     * text), so that a later step sees the answer as a value of its own.
     */
    private static List<Source> citations(List<Source> shown) {
        return shown.stream().map(s -> new Source(s.url(), s.title(), s.retrievedAt())).toList();
    }

    private ContextPrompt.Rendered render(ToolRequest request) {
        String question = ContextPrompt.question(request.template(), request.evidence());
        if (question.isEmpty()) {
            throw ToolException.badInput("KnowledgeModel needs a question");
        }
        List<ContextPrompt.Passage> passages = ContextPrompt.passages(request.evidence());
        return ContextPrompt.render(format, question, passages, options);
    }
}
