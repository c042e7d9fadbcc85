package io.rewoo4j.config.web;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.rewoo4j.config.json.PlanGraphView;
import io.rewoo4j.config.json.RunEventView;
import io.rewoo4j.config.json.RunResultView;
import io.rewoo4j.config.model.ModelStatus;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.tool.Tool;
import io.rewoo4j.planner.PlanGraph;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The REST API: parse plans, execute written plans, answer questions (the model plans), list tools. Runs answer
 * with the run result JSON, or with Server-Sent Events while they run when the request accepts
 * {@code text/event-stream}. Errors are {@code application/problem+json}.
 */
@RestController
@RequestMapping("/api/v1")
class RewooApiController {

    private final RewooAgent agent;
    private final ModelStatus model;
    private final RequestLimits limits;

    RewooApiController(RewooAgent agent, ModelStatus model, RequestLimits limits) {
        this.agent = agent;
        this.model = model;
        this.limits = limits;
    }

    /** A tool as {@code GET /api/v1/tools} lists it; {@code inputSchema} is null for free-text input. */
    record ToolView(String name, String description, Object inputSchema) {
    }

    @PostMapping(path = "/plans/parse", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<PlanGraphView> parse(@RequestBody ApiRequests.ParsePlan request) {
        return Mono.fromCallable(() -> PlanGraphView.of(limits.anyPlan(request.plan())));
    }

    @PostMapping(path = "/plans/execute", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<RunResultView> execute(@RequestBody ApiRequests.ExecutePlan request) {
        return Mono.defer(() -> RunResponses.result(executeEvents(request)));
    }

    @PostMapping(path = "/plans/execute", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<RunEventView>> executeStream(@RequestBody ApiRequests.ExecutePlan request) {
        return Flux.defer(() -> RunResponses.events(executeEvents(request)));
    }

    @PostMapping(path = "/runs", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<RunResultView> ask(@RequestBody ApiRequests.Ask request) {
        return Mono.defer(() -> RunResponses.result(askEvents(request)));
    }

    @PostMapping(path = "/runs", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<RunEventView>> askStream(@RequestBody ApiRequests.Ask request) {
        return Flux.defer(() -> RunResponses.events(askEvents(request)));
    }

    @GetMapping(path = "/runs/{runId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<RunResultView> run(@PathVariable String runId) {
        return agent.store().find(runId).map(RunResultView::of)
                .switchIfEmpty(Mono.error(() -> ApiProblem.of(org.springframework.http.HttpStatus.NOT_FOUND,
                        "run-not-found", "Run not found", "no run " + runId + " is kept (runs are kept in memory, "
                                + "newest first, up to rewoo.agent.runs-kept)")));
    }

    @GetMapping(path = "/tools", produces = MediaType.APPLICATION_JSON_VALUE)
    List<ToolView> tools() {
        return agent.tools().tools().stream().map(RewooApiController::view).toList();
    }

    private Flux<RunEvent> executeEvents(ApiRequests.ExecutePlan request) {
        PlanGraph plan = limits.runnablePlan(request.plan());
        return agent.stream(plan, limits.question(request.question(), false));
    }

    private Flux<RunEvent> askEvents(ApiRequests.Ask request) {
        String question = limits.question(request.question(), true);
        if (!model.available()) {
            throw ApiProblem.modelUnavailable(model.reason());
        }
        return agent.stream(question);
    }

    private static ToolView view(Tool tool) {
        return new ToolView(tool.name(), tool.description(),
                tool.inputSchema().map(schema -> (Object) tools.jackson.databind.json.JsonMapper.shared().readTree(schema))
                        .orElse(null));
    }
}
