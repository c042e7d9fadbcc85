package io.rewoo4j.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Configuration records: defaults for what is unset, endpoint resolution, validation, no key in logs. */
class ClientConfigTest {

    @Test
    void openAiDefaults() {
        OpenAiClientConfig config = new OpenAiClientConfig(null, null, null, null, null, null, null);
        assertThat(config.baseUrl()).isEqualTo(URI.create("http://localhost:8000"));
        assertThat(config.model()).isNull();
        assertThat(config.apiKey()).isNull();
        assertThat(config.mode()).isEqualTo(OpenAiMode.COMPLETIONS);
        assertThat(config.samplingExtensions()).isEqualTo(SamplingExtensions.VLLM);
        assertThat(config.timeouts()).isEqualTo(new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(120),
                Duration.ofSeconds(60)));
        assertThat(config.retry()).isEqualTo(new RetrySettings(3, Duration.ofMillis(500), Duration.ofSeconds(30), 0.2));
        assertThat(config.endpoint()).isEqualTo(URI.create("http://localhost:8000/v1/completions"));
    }

    @Test
    void openAiEndpointFollowsModeAndToleratesAV1Root() {
        assertThat(OpenAiClientConfig.of("http://gpu:8000/").withMode(OpenAiMode.CHAT_COMPLETIONS).endpoint())
                .isEqualTo(URI.create("http://gpu:8000/v1/chat/completions"));
        assertThat(OpenAiClientConfig.of("http://gpu:8000/v1").endpoint())
                .isEqualTo(URI.create("http://gpu:8000/v1/completions"));
        assertThat(OpenAiClientConfig.of("https://proxy.example/llm/v1/").endpoint())
                .isEqualTo(URI.create("https://proxy.example/llm/v1/completions"));
        assertThat(OpenAiClientConfig.of("https://proxy.example/llm").endpoint())
                .isEqualTo(URI.create("https://proxy.example/llm/v1/completions"));
    }

    @Test
    void tgiDefaultsAndEndpoints() {
        TgiClientConfig config = new TgiClientConfig(null, "", null, null, null);
        assertThat(config.baseUrl()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(config.apiKey()).isNull();
        assertThat(config.url()).isEqualTo(URI.create("http://localhost:8080/generate_stream"));
        assertThat(TgiClientConfig.of("http://tgi:3000/").withEndpoint(TgiEndpoint.GENERATE).url())
                .isEqualTo(URI.create("http://tgi:3000/generate"));
    }

    @Test
    void theApiKeyStaysOutOfToString() {
        assertThat(OpenAiClientConfig.of("http://x").withApiKey("sk-secret").toString())
                .doesNotContain("sk-secret").contains("apiKey=****");
        assertThat(TgiClientConfig.of("http://x").withApiKey("hf_secret").toString())
                .doesNotContain("hf_secret").contains("apiKey=****");
    }

    @Test
    void rejectsWhatCannotWork() {
        assertThatThrownBy(() -> OpenAiClientConfig.of("localhost:8000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TgiClientConfig.of("http://tgi/?x=1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpTimeouts.defaults().withIdle(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetrySettings.defaults().withMaxRetries(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetrySettings.defaults().withBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetrySettings.defaults().withJitter(1.0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
