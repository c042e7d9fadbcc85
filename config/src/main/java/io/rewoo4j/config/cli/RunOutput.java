package io.rewoo4j.config.cli;

import java.io.PrintWriter;

import io.rewoo4j.config.json.Json;
import io.rewoo4j.config.json.RunResultView;
import io.rewoo4j.core.event.RunEvent;
import io.rewoo4j.core.run.RunResult;
import io.rewoo4j.core.run.RunStatus;
import reactor.core.publisher.Flux;

/** Runs an agent's event stream to its end for a command: live lines, or the result JSON with {@code --json}. */
final class RunOutput {

    private RunOutput() {
    }

    /** Consumes the events on the calling thread; returns the exit code (0 when the run succeeded, else 1). */
    static int follow(Flux<RunEvent> events, boolean json, PrintWriter out) {
        RunPrinter printer = new RunPrinter(out);
        RunResult result = events.doOnNext(e -> {
                    if (!json) {
                        printer.print(e);
                    }
                })
                .ofType(RunEvent.RunFinished.class)
                .map(RunEvent.RunFinished::result)
                .blockLast();
        if (result == null) {
            throw new IllegalStateException("the run ended without a result");
        }
        if (json) {
            out.println(Json.write(RunResultView.of(result)));
            out.flush();
        }
        return result.status() == RunStatus.SUCCEEDED ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
