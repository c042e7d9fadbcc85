package io.rewoo4j.config.cli;

import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;

import io.rewoo4j.config.model.ModelStatus;
import io.rewoo4j.core.agent.RewooAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rewoo ask "QUESTION" [--json]}: plan with the model, execute, answer. */
@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Answer a question: the model writes a plan, the tools run as its steps arrive, then the answer.",
                "Exit codes: 0 the run succeeded, 1 it did not (or no model is configured), 2 bad input."})
final class AskCommand extends SpringPropertiesCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "QUESTION", description = "The question.")
    String question;

    @Option(names = "--json", description = "Print the run result as JSON instead of the live view.")
    boolean json;

    @Override
    public Integer call() {
        if (question.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "the question is empty");
        }
        try (ConfigurableApplicationContext context = CliContext.start(springArguments())) {
            ModelStatus model = context.getBean(ModelStatus.class);
            if (!model.available()) {
                spec.commandLine().getErr().println("rewoo: " + model.reason());
                spec.commandLine().getErr().flush();
                return ExitCodes.FAILURE;
            }
            return RunOutput.follow(context.getBean(RewooAgent.class).stream(question), json,
                    spec.commandLine().getOut());
        }
    }
}
