package io.rewoo4j.config.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes problem documents ({@code application/problem+json}, RFC 9457) straight to the response. Used by the
 * filters and by the exception handler alike, so that an error is a problem document whatever the endpoint would
 * have produced (an event stream included).
 */
final class ProblemWriter {

    private final JsonMapper mapper;

    ProblemWriter(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** Whether the request is one of the REST API's ({@code /api/**}): the requests the API's rules apply to. */
    static boolean isApiRequest(ServerWebExchange exchange) {
        return exchange.getRequest().getPath().pathWithinApplication().value().startsWith("/api/");
    }

    Mono<Void> write(ServerWebExchange exchange, ProblemDetail problem) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            // An event stream already under way cannot change its status; ending it is all that is left.
            return Mono.empty();
        }
        if (problem.getInstance() == null) {
            problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        }
        response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        byte[] json = mapper.writeValueAsString(document(problem)).getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(json)));
    }

    Mono<Void> write(ServerWebExchange exchange, ApiProblem problem) {
        return write(exchange, problem.getBody());
    }

    private static Map<String, Object> document(ProblemDetail p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", p.getType() == null ? "about:blank" : p.getType().toString());
        out.put("title", p.getTitle());
        out.put("status", p.getStatus());
        out.put("detail", p.getDetail());
        out.put("instance", p.getInstance() == null ? null : p.getInstance().toString());
        if (p.getProperties() != null) {
            out.putAll(p.getProperties());
        }
        return out;
    }
}
