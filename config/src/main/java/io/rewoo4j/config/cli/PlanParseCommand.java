package io.rewoo4j.config.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.rewoo4j.config.json.Json;
import io.rewoo4j.config.json.PlanGraphView;
import io.rewoo4j.planner.PlanParseException;
import io.rewoo4j.planner.PlanParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rewoo plan parse [FILE|-]}: prints the plan graph JSON, or the error with its line (exit 2). */
@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Parse a plan and print its graph as JSON.",
                "A bad plan prints {\"error\": {\"message\": ..., \"line\": N}} and exits with 2."})
final class PlanParseCommand extends SpringPropertiesCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|-", description = "The plan file; '-' or none reads standard input.")
    String file;

    @Override
    public Integer call() {
        springArguments();
        PrintWriter out = spec.commandLine().getOut();
        String text = PlanInput.readOrReport(file, out);
        if (text == null) {
            return ExitCodes.BAD_INPUT;
        }
        try {
            out.println(Json.write(PlanGraphView.of(new PlanParser().parse(text))));
            out.flush();
            return ExitCodes.OK;
        } catch (PlanParseException e) {
            return PlanInput.report(out, e.error());
        }
    }
}
