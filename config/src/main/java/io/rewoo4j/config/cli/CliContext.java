package io.rewoo4j.config.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import io.rewoo4j.config.RewooApplication;

/**
 * The Spring context of a command that is not a server: the same beans and {@code rewoo.*} properties as
 * {@code rewoo serve}, without a web server, and with console logging off so that standard output holds only the
 * command's own output (pass {@code --logging.console.enabled=true} to see the logs).
 */
final class CliContext {

    private CliContext() {
    }

    static ConfigurableApplicationContext start(List<String> springArguments) {
        SpringApplication app = new SpringApplication(RewooApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        app.setDefaultProperties(Map.of("logging.console.enabled", "false", "spring.main.lazy-initialization", "true"));
        List<String> args = new ArrayList<>(springArguments);
        return app.run(args.toArray(String[]::new));
    }

    /** The innermost cause's message: what a user needs when the context could not start. */
    static String reason(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
