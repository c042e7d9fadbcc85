package io.rewoo4j.planner.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParser;

class PromptTest {

    private static final List<ToolDescription> TOOLS = List.of(
            new ToolDescription("DuckDuckGo", "Search the web."),
            new ToolDescription("KnowledgeModel", "Answer questions\n  about a passage."));

    @Test
    void formatsWrapAsTheModelCardsDefine() {
        assertThat(PromptFormat.ALPACA.wrap("Be brief.", "Say hi."))
                .isEqualTo("Below is an instruction that describes a task.  Write a response that appropriately "
                        + "completes the request.\n\n### Instruction:\nBe brief.\nSay hi.\n\n### Response:\n");
        assertThat(PromptFormat.VICUNA.wrap(null, "Say hi."))
                .isEqualTo("A chat between a user and an unbiased, uncensored assistant.\nUSER: Say hi.\nASSISTANT: ");
        assertThat(PromptFormat.LLAMA2_CHAT.wrap(null, "Say hi."))
                .isEqualTo("[INST] <<SYS>>\nYou are a helpful, unbiased, uncensored assistant.\n<</SYS>>\n\nSay hi. [/INST]");
        assertThat(PromptFormat.CHATML.wrap("Be brief.", "Say hi."))
                .isEqualTo("system\nBe brief.\n</s><s>user\nSay hi.\n</s><s>assistant\n");
        assertThat(PromptFormat.MISTRAL.wrap(null, "Say hi.")).isEqualTo("[INST] Say hi. [/INST]");
    }

    @Test
    void formatNamesAndDetection() {
        assertThat(PromptFormat.fromName("Llama-2-Chat")).contains(PromptFormat.LLAMA2_CHAT);
        assertThat(PromptFormat.fromName("chat-ml")).contains(PromptFormat.CHATML);
        assertThat(PromptFormat.fromName("mistral-instruct")).contains(PromptFormat.MISTRAL);
        assertThat(PromptFormat.fromName("gpt")).isEmpty();
        for (PromptFormat f : PromptFormat.values()) {
            assertThat(PromptFormat.fromName(f.id())).contains(f);
        }
        assertThat(PromptFormat.detect("TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ")).contains(PromptFormat.MISTRAL);
        assertThat(PromptFormat.detect("TheBloke/bagel-8x7b-v0.2-GPTQ")).contains(PromptFormat.LLAMA2_CHAT);
        assertThat(PromptFormat.detect("TheBloke/Airoboros-c34B-3.1.2-GPTQ")).contains(PromptFormat.LLAMA2_CHAT);
        assertThat(PromptFormat.detect("some-base-model")).isEmpty();
    }

    @Test
    void plannerPromptListsTheToolsAndTheQuestion() {
        String prompt = PlannerPrompt.render(PromptFormat.MISTRAL, "  Who won?  ", TOOLS);
        assertThat(prompt).startsWith("[INST] Please construct a systematic plan")
                .contains("Here are the tools available to be called:\nDuckDuckGo[input]: Search the web.\n"
                        + "KnowledgeModel[input]: Answer questions about a passage.\n\nThe output should be in format:")
                .contains("Answer: [:evidence[n]: containing the final answer.]")
                .endsWith("Question: Who won? [/INST]");
        assertThat(PlannerPrompt.stopSequences(PromptFormat.MISTRAL)).contains("[INST]", "\nQuestion:");
        assertThatThrownBy(() -> PlannerPrompt.instruction("q", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void solverPromptShowsEachStepWithItsEvidence() {
        PlanGraph plan = new PlanParser().parse("""
                Plan: Search.
                :evidence0: = DuckDuckGo[Nobel 2020]
                Plan: Read.
                :evidence1: = KnowledgeModel[Who, given :evidence0:?]
                Answer: The laureate and their work, from :evidence1:.
                """);
        String prompt = SolverPrompt.instruction("Who won?", plan, Map.of("evidence0", "Louise Gl\u00fcck won." + "x".repeat(5000)));
        assertThat(prompt)
                .contains("Plan: Search.\n:evidence0: = DuckDuckGo[Nobel 2020]\nEvidence: Louise Gl\u00fcck won.")
                .contains(" [...]\n")
                .contains(":evidence1: = KnowledgeModel[Who, given :evidence0:?]\nEvidence: (none: this step did not complete)")
                .contains("The plan's own answer was: The laureate and their work, from :evidence1:.")
                .endsWith("Question: Who won?");
        assertThat(prompt.length()).isLessThan(5000);
    }
}
