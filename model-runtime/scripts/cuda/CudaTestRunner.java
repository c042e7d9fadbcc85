import java.io.PrintWriter;
import java.util.Optional;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the JUnit tests of model-runtime whose class names match a pattern (default: every test of
 * io.rewoo4j.runtime.cuda, as {@code -Dtest='io.rewoo4j.runtime.cuda.*Test'} selects them under Maven) on a machine
 * without Maven: device-check.sh compiles it against junit-platform-launcher and puts it on the test class path.
 * Prints each test's outcome (with the reason of every skip), the summary and the failures; exits 1 when a test
 * failed, 0 otherwise.
 */
public final class CudaTestRunner {
    private CudaTestRunner() {
    }

    public static void main(String[] args) {
        String pattern = args.length > 0 ? args[0] : "io\\.rewoo4j\\.runtime\\.cuda\\..*Test";
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectPackage("io.rewoo4j.runtime.cuda"))
                .filters(ClassNameFilter.includeClassNamePatterns(pattern))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener printer = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("SKIPPED " + id.getDisplayName() + " [" + id.getUniqueId() + "]: " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    return;
                }
                Optional<Throwable> t = result.getThrowable();
                System.out.println(result.getStatus() + " " + id.getDisplayName() + " [" + id.getUniqueId() + "]"
                        + t.map(e -> ": " + e).orElse(""));
            }
        };
        launcher.execute(request, summary, printer);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printTo(out);
        s.printFailuresTo(out, 40);
        out.flush();
        System.exit(s.getTotalFailureCount() > 0 || s.getTestsFoundCount() == 0 ? 1 : 0);
    }
}
