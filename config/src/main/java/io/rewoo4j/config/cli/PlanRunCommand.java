package io.rewoo4j.config.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;

import io.rewoo4j.config.agent.AgentProperties;
import io.rewoo4j.core.agent.RewooAgent;
import io.rewoo4j.planner.PlanGraph;
import io.rewoo4j.planner.PlanParseException;
import io.rewoo4j.planner.PlanParser;
import io.rewoo4j.planner.PlanParserOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rewoo plan run [FILE|-] [--question Q] [--json]}: executes a written plan with the configured tools. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Execute a plan with the configured tools, printing each step as it happens.",
                "Exit codes: 0 the run succeeded, 1 it did not, 2 a bad plan (its error JSON on standard output)."})
final class PlanRunCommand extends SpringPropertiesCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|-", description = "The plan file; '-' or none reads standard input.")
    String file;

    @Option(names = "--question", paramLabel = "Q", description = "The question the plan answers (shown to the solver).")
    String question;

    @Option(names = "--json", description = "Print the run result as JSON instead of the live view.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String text = PlanInput.readOrReport(file, out);
        if (text == null) {
            return ExitCodes.BAD_INPUT;
        }
        try (ConfigurableApplicationContext context = CliContext.start(springArguments())) {
            RewooAgent agent = context.getBean(RewooAgent.class);
            AgentProperties limits = context.getBean(AgentProperties.class);
            PlanGraph plan;
            try {
                plan = new PlanParser(new PlanParserOptions(agent.tools().names(), limits.maxSteps(),
                        limits.maxLineLength())).parse(text);
            } catch (PlanParseException e) {
                return PlanInput.report(out, e.error());
            }
            return RunOutput.follow(agent.stream(plan, question), json, out);
        }
    }
}
