package io.rewoo4j.runtime.hub;

import java.io.IOException;
import java.net.http.HttpResponse;

/**
 * Maps the hub's error answers to {@link HubException}s, reading its {@code X-Error-Code} header
 * ({@code RepoNotFound}, {@code RevisionNotFound}, {@code EntryNotFound}, {@code GatedRepo}) where it is given.
 */
final class HubErrors {

    private HubErrors() {
    }

    /** A 429 or 5xx: worth another try. Not a {@link HubException}, so the retry loops take it for a network failure. */
    static final class RetryableStatusException extends IOException {
        final int status;

        RetryableStatusException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Throws the exception for a non-2xx answer about {@code ref} (and {@code file}, null for the listing).
     *
     * @param endpoint the hub's address, for the gated-repository hint
     */
    static void check(HubTransport.Reply<?> reply, HubRepoRef ref, String file, String endpoint) throws IOException {
        int status = reply.status();
        if (status >= 200 && status < 300) {
            return;
        }
        HttpResponse<?> response = reply.response();
        HubTransport.discard(response);
        String code = response.headers().firstValue("X-Error-Code").orElse("");
        String hubSays = response.headers().firstValue("X-Error-Message").map(m -> " (the hub says: " + m + ")").orElse("");
        String repo = "'" + ref.repoId() + "'";
        switch (status) {
            case 401 -> throw new HubAccessDeniedException(reply.tokenSent()
                    ? "the hub refused the token in HF_TOKEN for repository " + repo
                    + " (HTTP 401): check that the token is valid and that the repository exists" + hubSays
                    : "repository " + repo + " needs authentication (HTTP 401): it is private or gated, or does not exist;"
                    + " set HF_TOKEN to a Hugging Face access token with read access" + hubSays, status, reply.tokenSent());
            case 403 -> throw new HubAccessDeniedException("access to repository " + repo + " is forbidden (HTTP 403): "
                    + (code.equals("GatedRepo") ? "it is gated; accept its conditions at " + endpoint + "/" + ref.repoId()
                    : "it is gated or private")
                    + (reply.tokenSent() ? ", and check that the token in HF_TOKEN belongs to an account with access"
                    : ", then set HF_TOKEN to an access token of an account with access") + hubSays, status, reply.tokenSent());
            case 404 -> throw notFound(code, ref, file, hubSays);
            default -> {
                if (status == 429 || status >= 500) {
                    throw new RetryableStatusException(status, "HTTP " + status + " from " + response.uri());
                }
                throw new HubProtocolException("unexpected HTTP " + status + " from " + response.uri() + hubSays, status);
            }
        }
    }

    private static HubNotFoundException notFound(String code, HubRepoRef ref, String file, String hubSays) {
        String repo = "'" + ref.repoId() + "'";
        String revision = "'" + ref.revision() + "'";
        if (code.equals("RepoNotFound")) {
            return new HubNotFoundException("repository " + repo + " not found" + hubSays, HubNotFoundException.Missing.REPOSITORY);
        }
        if (code.equals("RevisionNotFound")) {
            return new HubNotFoundException("revision " + revision + " not found in repository " + repo
                    + " (a branch such as gptq-4bit-32g-actorder_True, a tag or a commit)" + hubSays,
                    HubNotFoundException.Missing.REVISION);
        }
        if (file != null) {
            return new HubNotFoundException("file '" + file + "' not found in " + ref + hubSays, HubNotFoundException.Missing.FILE);
        }
        return new HubNotFoundException("repository " + repo + " or its revision " + revision + " not found" + hubSays,
                HubNotFoundException.Missing.REPOSITORY_OR_REVISION);
    }
}
