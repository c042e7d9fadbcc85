package io.rewoo4j.tools.scrape;

import java.util.List;
import java.util.stream.Collectors;

/** Every link failed; {@link #failures()} says why for each. The first failure's error is the cause. */
public final class AllLinksFailedException extends ScrapeException {

    private static final long serialVersionUID = 1L;

    private final transient List<FailedLink> failures;

    AllLinksFailedException(List<FailedLink> failures) {
        super("No link could be scraped: " + failures.stream()
                        .map(f -> f.url() + " (" + f.message() + ")")
                        .collect(Collectors.joining("; ")),
                failures.isEmpty() ? null : failures.get(0).error());
        this.failures = List.copyOf(failures);
    }

    public List<FailedLink> failures() {
        return failures;
    }
}
