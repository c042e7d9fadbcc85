package io.rewoo4j.tools.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.rewoo4j.core.evidence.Evidence;
import io.rewoo4j.core.evidence.Source;
import io.rewoo4j.core.model.GenerationRequest;
import io.rewoo4j.core.tool.ToolException;
import io.rewoo4j.core.tool.ToolRequest;
import io.rewoo4j.planner.prompt.PromptFormat;
import io.rewoo4j.tools.testing.RecordingModel;
import reactor.test.StepVerifier;

class KnowledgeModelToolTest {

    private static final Instant FETCHED = Instant.parse("2026-11-20T10:15:30Z");

    private static ToolRequest request(String template, Map<String, Evidence> evidence) {
        return new ToolRequest("run-1", "evidence1", "(substituted text is not used)", evidence, template);
    }

    @Test
    void oneContextBlockPerSourceThenTheInstruction() {
        Evidence search = Evidence.of("both results", List.of(
                new Source("https://www.nobelprize.org/prizes/literature/2020/", "Nobel Prize in Literature 2020",
                        FETCHED, "The Nobel Prize in Literature 2020 was awarded to Louise Gl\u00fcck."),
                new Source("https://en.wikipedia.org/wiki/Louise_Gl%C3%BCck", null, null,
                        "Louise Gl\u00fcck is an American poet.")));
        RecordingModel model = new RecordingModel("Louise ", "Gl\u00fcck", "\n");
        KnowledgeModelTool tool = new KnowledgeModelTool(model, PromptFormat.ALPACA, KnowledgeModelOptions.defaults());

        StepVerifier.create(tool.execute(request("Who won the Nobel Prize in Literature in 2020, given :evidence0:?",
                        Map.of("evidence0", search))))
                .assertNext(evidence -> {
                    assertThat(evidence.text()).isEqualTo("Louise Gl\u00fcck");
                    assertThat(evidence.sources()).extracting(Source::url).containsExactly(
                            "https://www.nobelprize.org/prizes/literature/2020/",
                            "https://en.wikipedia.org/wiki/Louise_Gl%C3%BCck");
                })
                .verifyComplete();

        GenerationRequest sent = model.requests.get(0);
        assertThat(sent.prompt()).isEqualTo(PromptFormat.ALPACA.wrap(null, """
                BEGININPUT
                BEGINCONTEXT
                url: https://www.nobelprize.org/prizes/literature/2020/
                title: Nobel Prize in Literature 2020
                date: 2026-11-20
                step: evidence0
                ENDCONTEXT
                The Nobel Prize in Literature 2020 was awarded to Louise Gl\u00fcck.
                ENDINPUT
                BEGININPUT
                BEGINCONTEXT
                url: https://en.wikipedia.org/wiki/Louise_Gl%C3%BCck
                step: evidence0
                ENDCONTEXT
                Louise Gl\u00fcck is an American poet.
                ENDINPUT
                BEGININSTRUCTION
                Who won the Nobel Prize in Literature in 2020, given the input blocks of step evidence0?
                Don't make up answers if you don't know.
                ENDINSTRUCTION"""));
        assertThat(sent.options().temperature()).isZero();
        assertThat(sent.options().maxTokens()).isEqualTo(512);
        assertThat(sent.options().stopSequences()).containsAll(PromptFormat.ALPACA.stopSequences());
    }

    @Test
    void longEvidenceWithoutExcerptsIsOneBlockAndShortValuesGoIntoTheQuestion() {
        Map<String, Evidence> evidence = new LinkedHashMap<>();
        evidence.put("e1", Evidence.of("Colorado orogeny was an episode of mountain building.\nIt lasted from 1780 to 1650"
                        + " million years ago.", List.of(Source.of("https://en.wikipedia.org/wiki/Colorado_orogeny"))));
        evidence.put("e2", Evidence.of("the High Plains", List.of(Source.of("https://example.org/plains"))));
        String prompt = new KnowledgeModelTool(new RecordingModel("x"), PromptFormat.MISTRAL, KnowledgeModelOptions.defaults())
                .prompt(request("Did the orogeny in #E1 reach #E2?", evidence));

        assertThat(prompt).isEqualTo("[INST] BEGININPUT\nBEGINCONTEXT\nurl: https://en.wikipedia.org/wiki/Colorado_orogeny\n"
                + "step: e1\nENDCONTEXT\nColorado orogeny was an episode of mountain building.\nIt lasted from 1780 to 1650"
                + " million years ago.\nENDINPUT\nBEGININSTRUCTION\nDid the orogeny in the input blocks of step e1 reach the"
                + " High Plains?\nDon't make up answers if you don't know.\nENDINSTRUCTION [/INST]");
    }

    @Test
    void anAnswerCitesItsSourcesWithoutTheirExcerptsSoALaterQuestionCanUseItAsAValue() {
        Evidence search = Evidence.of("results", List.of(new Source("https://a.example/", "A", FETCHED, "Louise Gl\u00fcck won.")));
        KnowledgeModelTool tool = new KnowledgeModelTool(new RecordingModel("Louise Gl\u00fcck"), PromptFormat.ALPACA,
                KnowledgeModelOptions.defaults());
        Evidence name = tool.execute(request("Who won, given :evidence0:?", Map.of("evidence0", search))).block();
        assertThat(name.sources()).containsExactly(new Source("https://a.example/", "A", FETCHED));

        RecordingModel model = new RecordingModel("The Wild Iris");
        new KnowledgeModelTool(model, PromptFormat.ALPACA, KnowledgeModelOptions.defaults())
                .execute(request("What is the most famous work of :evidence1:, given :evidence0:?",
                        new LinkedHashMap<>(Map.of("evidence1", name)))).block();
        assertThat(model.requests.get(0).prompt()).contains("What is the most famous work of Louise Gl\u00fcck, given")
                .doesNotContain("BEGININPUT");
    }

    @Test
    void evidenceThatDoesNotFitKeepsTheMostRelevantChunksAndNeverOverflows() {
        StringBuilder page = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            page.append("Paragraph ").append(i).append(" is about gardening, weather and cooking in general terms.\n\n");
            if (i == 137) {
                page.append("The 2020 laureate in literature was the poet Louise Gl\u00fcck.\n\n");
            }
        }
        Evidence scraped = Evidence.of(page.toString(), List.of(new Source("https://example.org/long", "Long", null,
                page.toString())));
        KnowledgeModelOptions small = KnowledgeModelOptions.defaults().withContextTokens(2048);
        RecordingModel model = new RecordingModel("Louise Gl\u00fcck");
        KnowledgeModelTool tool = new KnowledgeModelTool(model, PromptFormat.LLAMA2_CHAT, small);

        StepVerifier.create(tool.execute(request("Which poet was the 2020 laureate in literature, given :evidence3:?",
                Map.of("evidence3", scraped)))).expectNextCount(1).verifyComplete();

        String prompt = model.requests.get(0).prompt();
        assertThat(KnowledgeModelOptions.CONSERVATIVE_ESTIMATE.applyAsInt(prompt) + small.answerTokens())
                .isLessThanOrEqualTo(small.contextTokens());
        assertThat(prompt).contains("The 2020 laureate in literature was the poet Louise Gl\u00fcck.")
                .contains("[...]").doesNotContain("Paragraph 150 is about");
        // The budget is used, not left empty: about 1,400 tokens of evidence at three characters a token.
        assertThat(prompt.length()).isGreaterThan(3500);
    }

    @Test
    void aQuestionLongerThanTheWindowIsBadInputAndTheModelIsNotCalled() {
        RecordingModel model = new RecordingModel("x");
        KnowledgeModelTool tool = new KnowledgeModelTool(model, PromptFormat.ALPACA,
                KnowledgeModelOptions.defaults().withContextTokens(600));
        StepVerifier.create(tool.execute(ToolRequest.of("why? ".repeat(1000))))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ToolException.class).hasMessageContaining("context window");
                    assertThat(((ToolException) e).retryable()).isFalse();
                })
                .verify();
        assertThat(model.requests).isEmpty();
    }

    @Test
    void anEmptyAnswerIsARetryableFailure() {
        KnowledgeModelTool tool = new KnowledgeModelTool(new RecordingModel(" ", "\n"), PromptFormat.ALPACA,
                KnowledgeModelOptions.defaults());
        StepVerifier.create(tool.execute(ToolRequest.of("What colour is the sky?")))
                .expectErrorSatisfies(e -> assertThat(((ToolException) e).retryable()).isTrue())
                .verify();
    }

    @Test
    void aDirectQuestionIsAskedAsWritten() {
        RecordingModel model = new RecordingModel("Blue.");
        new KnowledgeModelTool(model, PromptFormat.VICUNA, KnowledgeModelOptions.defaults())
                .execute(ToolRequest.of("What colour is the sky?")).block();
        assertThat(model.requests.get(0).prompt()).isEqualTo(PromptFormat.VICUNA.wrap(null,
                "BEGININSTRUCTION\nWhat colour is the sky?\nDon't make up answers if you don't know.\nENDINSTRUCTION"));
    }

    @Test
    void chunksRespectTheirSizeAndKeepAllText() {
        String text = ("A sentence that goes on. ".repeat(30) + "\n\n").repeat(5) + "x".repeat(500);
        List<String> chunks = Chunker.chunks(text, 200);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length()).isLessThanOrEqualTo(200));
        assertThat(String.join("", chunks).replaceAll("\\s", "")).isEqualTo(text.replaceAll("\\s", ""));
    }

    @Test
    void bm25RanksThePassageWithTheRareQueryTermsFirst() {
        double[] scores = Bm25.scores("Who wrote The Wild Iris?",
                List.of("The weather today is mild.", "The Wild Iris is a poetry collection by Louise Gl\u00fcck.",
                        "Irises grow wild in the garden."));
        assertThat(scores[1]).isGreaterThan(scores[2]).isGreaterThan(scores[0]);
        assertThat(scores[0]).isZero();
    }
}
