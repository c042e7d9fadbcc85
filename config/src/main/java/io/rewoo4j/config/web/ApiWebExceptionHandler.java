package io.rewoo4j.config.web;

import org.springframework.core.Ordered;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

import reactor.core.publisher.Mono;

/**
 * Errors under {@code /api/} that no controller handled (an unknown path, a wrong method) as problem documents,
 * ahead of Boot's default error handler; everything else is left to it.
 */
final class ApiWebExceptionHandler implements WebExceptionHandler, Ordered {

    private final ProblemWriter problems;

    ApiWebExceptionHandler(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    public int getOrder() {
        return -2;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (error instanceof ErrorResponse known
                && ProblemWriter.isApiRequest(exchange)) {
            return problems.write(exchange, known.getBody());
        }
        return Mono.error(error);
    }
}
