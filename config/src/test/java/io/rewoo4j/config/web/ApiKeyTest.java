package io.rewoo4j.config.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.rewoo4j.config.RewooApplication;

/** With {@code rewoo.server.api-keys} set, every {@code /api/**} request needs one of the keys. */
@SpringBootTest(classes = RewooApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"rewoo.server.api-keys=first-key,second-key", "logging.level.root=WARN"})
class ApiKeyTest {

    @LocalServerPort
    int port;

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void requestsWithoutAKeyAreRefusedAsProblems() {
        client().get().uri("/api/v1/tools").exchange().expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"rewoo4j\"")
                .expectBody().jsonPath("$.detail").value(String.class,
                        d -> org.assertj.core.api.Assertions.assertThat(d).contains("X-API-Key"));
        client().get().uri("/api/v1/tools").header("X-API-Key", "wrong").exchange().expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.detail").isEqualTo("the API key is not valid");
    }

    @Test
    void eitherKeyInEitherHeaderIsAccepted() {
        client().get().uri("/api/v1/tools").header("X-API-Key", "first-key").exchange().expectStatus().isOk();
        client().get().uri("/api/v1/tools").header("Authorization", "Bearer second-key").exchange().expectStatus().isOk();
    }
}
