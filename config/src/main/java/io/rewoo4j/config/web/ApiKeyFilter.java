package io.rewoo4j.config.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Requires one of the configured keys on every {@code /api/**} request, as {@code X-API-Key: KEY} or
 * {@code Authorization: Bearer KEY}; anything else is a 401 problem. Keys are compared in constant time. Without
 * configured keys every request passes.
 */
final class ApiKeyFilter implements WebFilter, Ordered {

    static final String HEADER = "X-API-Key";

    private final List<byte[]> keys;
    private final ProblemWriter problems;

    ApiKeyFilter(List<String> keys, ProblemWriter problems) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.problems = problems;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (keys.isEmpty() || !ProblemWriter.isApiRequest(exchange)) {
            return chain.filter(exchange);
        }
        String presented = presentedKey(exchange.getRequest());
        if (presented != null && matches(presented)) {
            return chain.filter(exchange);
        }
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"rewoo4j\"");
        return problems.write(exchange, ApiProblem.of(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                presented == null ? "this server requires an API key: send it as '" + HEADER
                        + ": KEY' or 'Authorization: Bearer KEY'" : "the API key is not valid"));
    }

    private static String presentedKey(ServerHttpRequest request) {
        String header = request.getHeaders().getFirst(HEADER);
        if (header != null && !header.isBlank()) {
            return header.strip();
        }
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        return null;
    }

    private boolean matches(String presented) {
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        boolean found = false;
        for (byte[] key : keys) {
            found |= MessageDigest.isEqual(key, candidate);
        }
        return found;
    }
}
