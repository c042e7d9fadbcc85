package io.rewoo4j.runtime.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class HubRepoRefTest {

    @Test
    void parsesRepositoryAndBranch() {
        HubRepoRef ref = HubRepoRef.parse("TheBloke/bagel-8x7b-v0.2-GPTQ:gptq-4bit-32g-actorder_True");

        assertThat(ref.owner()).isEqualTo("TheBloke");
        assertThat(ref.name()).isEqualTo("bagel-8x7b-v0.2-GPTQ");
        assertThat(ref.revision()).isEqualTo("gptq-4bit-32g-actorder_True");
        assertThat(ref.defaultDirectory()).isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "rewoo4j", "models",
                "TheBloke--bagel-8x7b-v0.2-GPTQ--gptq-4bit-32g-actorder_True"));
    }

    @Test
    void theRevisionDefaultsToMainAndSlashesStayOutOfTheFolderName() {
        assertThat(HubRepoRef.parse("a/b").revision()).isEqualTo("main");
        assertThat(HubRepoRef.parse("a/b:refs/pr/1").folderName()).isEqualTo("a--b--refs--pr--1");
    }

    @Test
    void malformedReferencesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> HubRepoRef.parse("just-a-name")).hasMessageContaining("OWNER/NAME[:REVISION]");
        assertThatThrownBy(() -> HubRepoRef.parse("a/b/c")).hasMessageContaining("OWNER/NAME[:REVISION]");
        assertThatThrownBy(() -> HubRepoRef.parse("a/b:")).hasMessageContaining("empty revision");
        assertThatThrownBy(() -> HubRepoRef.parse("../b")).hasMessageContaining("owner '..'");
        assertThatThrownBy(() -> HubRepoRef.parse("a/b c")).hasMessageContaining("name 'b c'");
        assertThatThrownBy(() -> HubRepoRef.parse("a/b:x/../../y")).hasMessageContaining("invalid revision");
    }

    @Test
    void globsMatchLikeTheHubClientsFnmatch() {
        FileSelection selection = FileSelection.matching(List.of("*.safetensors", "*.json", "tokenizer.model"));

        assertThat(selection.includes("model.safetensors")).isTrue();
        assertThat(selection.includes("sub/config.json")).isTrue();
        assertThat(selection.includes("tokenizer.model")).isTrue();
        assertThat(selection.includes("tokenizer.model.bak")).isFalse();
        assertThat(selection.includes("README.md")).isFalse();
        assertThat(FileSelection.all().includes("anything")).isTrue();
        assertThat(FileSelection.matching(List.of("model-0000?-of-00002.safetensors")).includes("model-00001-of-00002.safetensors")).isTrue();
    }

    @Test
    void unsafePathsAreRecognised() {
        assertThat(HubClient.isSafeRelativePath("sub/model.safetensors")).isTrue();
        assertThat(HubClient.isSafeRelativePath("../x")).isFalse();
        assertThat(HubClient.isSafeRelativePath("/etc/passwd")).isFalse();
        assertThat(HubClient.isSafeRelativePath("a//b")).isFalse();
        assertThat(HubClient.isSafeRelativePath("a\\..\\b")).isFalse();
    }
}
