package io.rewoo4j.config.web;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import io.rewoo4j.config.model.ModelUnavailableException;
import reactor.core.publisher.Mono;

/**
 * Every error of the REST API as {@code application/problem+json}: the framework's own (unreadable JSON,
 * unsupported media type, ...) and ours ({@link ApiProblem}) as the problem they carry, a missing model as 503, and
 * anything unexpected as a 500 that names no internals. Written directly (see {@link ProblemWriter}), so that a
 * failed event-stream request gets a problem document too.
 */
@RestControllerAdvice(assignableTypes = {RewooApiController.class, FunctionDispatchController.class})
class ApiExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final ProblemWriter problems;

    ApiExceptionHandler(ProblemWriter problems) {
        this.problems = problems;
    }

    @ExceptionHandler(ModelUnavailableException.class)
    Mono<Void> modelUnavailable(ModelUnavailableException e, ServerWebExchange exchange) {
        return problems.write(exchange, ApiProblem.modelUnavailable(e.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    Mono<Void> other(Exception e, ServerWebExchange exchange) {
        if (e instanceof ServerWebInputException input && input.getCause() != null) {
            // Say what was wrong with the body, not only that it could not be read.
            ProblemDetail body = input.getBody();
            body.setDetail("the request body could not be read: " + firstLine(input.getMostSpecificCause().getMessage()));
            return problems.write(exchange, body);
        }
        if (e instanceof ErrorResponse known) {
            return problems.write(exchange, known.getBody());
        }
        LOG.error("request {} failed", exchange.getRequest().getPath(), e);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "the server failed to handle the request; see its log");
        body.setType(URI.create(ApiProblem.TYPE_BASE + "internal"));
        body.setTitle("Internal error");
        return problems.write(exchange, body);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown reason";
        }
        String line = message.lines().findFirst().orElse(message);
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }
}
