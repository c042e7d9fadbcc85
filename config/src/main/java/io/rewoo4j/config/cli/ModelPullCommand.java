package io.rewoo4j.config.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

import io.rewoo4j.runtime.hub.FileSelection;
import io.rewoo4j.runtime.hub.HubClient;
import io.rewoo4j.runtime.hub.HubRepoRef;
import io.rewoo4j.runtime.hub.ProgressListener;
import io.rewoo4j.runtime.hub.PullProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rewoo model pull REPO[:REVISION]}: downloads a hub repository revision, resuming what is already there. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a Hugging Face model repository revision (a branch such as gptq-4bit-32g-actorder_True)"
                + " into a folder, resuming interrupted files. HF_TOKEN: access token for gated or private repositories;"
                + " HF_ENDPOINT: another hub address.",
                "Prints the folder on standard output, progress on standard error.",
                "Exit codes: 0 ok, 2 malformed REPO or option, 1 the pull failed (the reason on standard error)."})
final class ModelPullCommand extends SpringPropertiesCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REPO[:REVISION]",
            description = "OWNER/NAME, optionally :REVISION (branch, tag or commit; default main).")
    String repository;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Target folder (default ~/.cache/rewoo4j/models/OWNER--NAME--REVISION).")
    Path dir;

    @Option(names = "--include", paramLabel = "GLOB", split = ",",
            description = "Only files matching these patterns (repeatable or comma-separated), e.g. '*.safetensors,*.json,tokenizer.model'. Default: every file.")
    List<String> include = new ArrayList<>();

    @Option(names = "--endpoint", paramLabel = "URL", description = "Hub address (default $HF_ENDPOINT, else https://huggingface.co).")
    String endpoint;

    /** The environment read for HF_TOKEN and HF_ENDPOINT; tests replace it. */
    Map<String, String> environment = System.getenv();
    /** Whether standard error is a terminal, so a redrawn one-line bar can be used. */
    boolean terminal = System.console() != null;
    /** The wait before the first retry; tests make it zero. */
    Duration backoff = Duration.ofSeconds(1);

    @Override
    public Integer call() {
        springArguments();
        PrintWriter err = spec.commandLine().getErr();
        HubRepoRef ref;
        FileSelection selection;
        HubClient client;
        try {
            ref = HubRepoRef.parse(repository);
            selection = FileSelection.matching(include);
            HubClient.Builder builder = HubClient.builder().environment(environment).backoff(backoff);
            if (endpoint != null) {
                builder.endpoint(endpoint);
            }
            client = builder.build();
        } catch (IllegalArgumentException e) {
            err.println("rewoo model pull: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        Path target = (dir != null ? dir : ref.defaultDirectory()).toAbsolutePath();
        ProgressPrinter progress = new ProgressPrinter(err, terminal, System::nanoTime);
        err.println("Pulling " + ref + " from " + client.endpoint() + (client.hasToken() ? " (with HF_TOKEN)" : "")
                + " into " + target);
        try {
            var result = client.pull(ref, target, selection, progress);
            progress.end();
            err.println("Done: commit " + result.commit() + ", " + result.downloaded().size() + " downloaded, "
                    + result.skipped().size() + " already complete.");
            err.flush();
            var out = spec.commandLine().getOut();
            out.println(target);
            out.flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            progress.end();
            err.println("rewoo model pull: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
    }

    /**
     * Draws progress: on a terminal one line redrawn at most ten times a second; otherwise plain lines, one per
     * file event and per tenth of a file, so logs stay short.
     */
    static final class ProgressPrinter implements ProgressListener {
        private static final long REDRAW_NANOS = 100_000_000L;
        private static final int BAR = 30;

        private final PrintWriter err;
        private final boolean terminal;
        private final LongSupplier clock;
        private long lastDraw = Long.MIN_VALUE;
        private int lastTenth = -1;
        private int width;

        ProgressPrinter(PrintWriter err, boolean terminal, LongSupplier clock) {
            this.err = err;
            this.terminal = terminal;
            this.clock = clock;
        }

        @Override
        public void onProgress(PullProgress p) {
            if (terminal) {
                long now = clock.getAsLong();
                if (p.stage() == PullProgress.Stage.TRANSFERRING && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
                    return;
                }
                lastDraw = now;
                String line = bar(p.bytesDone(), p.bytesTotal()) + " " + bytes(p.bytesDone())
                        + (p.bytesTotal() >= 0 ? " / " + bytes(p.bytesTotal()) : "") + "  [" + p.fileIndex() + "/"
                        + p.fileCount() + "] " + p.file() + (p.stage() == PullProgress.Stage.RETRYING ? " (retrying)" : "");
                err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                width = line.length();
                err.flush();
                return;
            }
            String prefix = "[" + p.fileIndex() + "/" + p.fileCount() + "] " + p.file() + ": ";
            switch (p.stage()) {
                case SKIPPED -> err.println(prefix + "already complete (" + bytes(p.fileTotal()) + ")");
                case STARTED -> {
                    lastTenth = -1;
                    err.println(prefix + (p.fileTotal() >= 0 ? bytes(p.fileTotal()) : "size unknown"));
                }
                case TRANSFERRING -> {
                    if (p.fileTotal() > 0) {
                        int tenth = (int) (p.fileBytes() * 10 / p.fileTotal());
                        if (tenth > lastTenth && tenth < 10) {
                            lastTenth = tenth;
                            err.println(prefix + tenth * 10 + "% (" + bytes(p.fileBytes()) + ")" + overall(p));
                        }
                    }
                }
                case RETRYING -> err.println(prefix + "connection lost at " + bytes(p.fileBytes()) + ", retrying");
                case FINISHED -> err.println(prefix + "done (" + bytes(p.fileTotal()) + ")" + overall(p));
            }
            err.flush();
        }

        /** Ends the redrawn line so that what follows starts on its own. */
        void end() {
            if (terminal && width > 0) {
                err.println();
                err.flush();
                width = 0;
            }
        }

        private static String overall(PullProgress p) {
            return p.bytesTotal() > 0 ? ", overall " + p.bytesDone() * 100 / p.bytesTotal() + "%" : "";
        }

        static String bar(long done, long total) {
            if (total <= 0) {
                return "[" + "?".repeat(BAR) + "]";
            }
            int filled = (int) Math.min(BAR, done * BAR / total);
            return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + String.format("%3d%%", done * 100 / total);
        }

        static String bytes(long n) {
            if (n < 1024) {
                return n + " B";
            }
            String[] units = {"KiB", "MiB", "GiB", "TiB"};
            double value = n;
            int unit = -1;
            while (value >= 1024 && unit < units.length - 1) {
                value /= 1024;
                unit++;
            }
            return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
        }
    }
}
