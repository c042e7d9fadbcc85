package io.rewoo4j.config.cli;

import java.util.concurrent.Callable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

import io.rewoo4j.config.RewooApplication;
import picocli.CommandLine.Command;

/** {@code rewoo serve}: the REST server (port {@code --server.port}, default 8080). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the REST server (--server.port=PORT, default 8080).")
final class ServeCommand extends SpringPropertiesCommand implements Callable<Integer> {

    private static volatile boolean started;

    /** Whether a server was started, so that {@code main} returns instead of exiting. */
    static boolean started() {
        return started;
    }

    @Override
    public Integer call() {
        SpringApplication app = new SpringApplication(RewooApplication.class);
        app.setWebApplicationType(WebApplicationType.REACTIVE);
        app.run(springArguments().toArray(String[]::new));
        started = true;
        return ExitCodes.OK;
    }
}
