package io.rewoo4j.tools.scrape.extract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Scores {@link MainContentExtractor} on the article-extraction benchmark (181 pages in the test resources) with
 * the benchmark's own metric ({@link ShingleMetric}) and prints precision, recall, F1, the time per page and the
 * worst pages.
 *
 * <p>Arguments: {@code --worst N} (how many worst pages to list, default 15); {@code --dump DIR} (writes each
 * page's extracted text and ground truth, {@code <id>.out.txt} and {@code <id>.truth.txt}, for reading);
 * {@code --predictions FILE} (writes {@code {id: {"articleBody": text}}}, the input format of the benchmark's
 * {@code evaluate.py}, to check this harness against it); {@code --scores FILE} (writes one line per page,
 * {@code id f1 precision recall url}, to compare two runs); {@code --rounds N} (passes, the first of
 * which warms the JIT up and the last of which is reported, default 3).
 */
public final class ExtractionBenchmark {

    /** One page's extraction, its counts and how long the extraction took (parsing included). */
    record PageResult(BenchmarkCorpus.Page page, ExtractedPage extracted, ShingleMetric.PageCounts counts,
                      long nanos) {
    }

    /** All pages' results with their summary. */
    record Report(List<PageResult> pages, ShingleMetric.Summary summary) {

        double meanMillisPerPage() {
            return pages.stream().mapToLong(PageResult::nanos).average().orElse(0) / 1e6;
        }

        double medianMillisPerPage() {
            long[] sorted = pages.stream().mapToLong(PageResult::nanos).sorted().toArray();
            return sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1e6;
        }

        double maxMillisPerPage() {
            return pages.stream().mapToLong(PageResult::nanos).max().orElse(0) / 1e6;
        }

        List<PageResult> worst(int count) {
            return pages.stream()
                    .sorted(Comparator.comparingDouble((PageResult r) -> r.counts().f1()))
                    .limit(count)
                    .toList();
        }
    }

    private ExtractionBenchmark() {
    }

    static Report run(MainContentExtractor extractor, List<BenchmarkCorpus.Page> pages) {
        List<PageResult> results = new ArrayList<>(pages.size());
        List<ShingleMetric.PageCounts> counts = new ArrayList<>(pages.size());
        for (BenchmarkCorpus.Page page : pages) {
            long start = System.nanoTime();
            ExtractedPage extracted = extractor.extract(page.html(), page.url());
            long nanos = System.nanoTime() - start;
            ShingleMetric.PageCounts pageCounts = ShingleMetric.compare(page.articleBody(), extracted.text());
            results.add(new PageResult(page, extracted, pageCounts, nanos));
            counts.add(pageCounts);
        }
        return new Report(List.copyOf(results), ShingleMetric.summarise(counts));
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        int worst = Integer.parseInt(options.getOrDefault("--worst", "15"));
        int rounds = Math.max(1, Integer.parseInt(options.getOrDefault("--rounds", "3")));

        long loadStart = System.nanoTime();
        List<BenchmarkCorpus.Page> pages = BenchmarkCorpus.load();
        System.out.printf(Locale.ROOT, "loaded %d pages in %.0f ms%n", pages.size(),
                (System.nanoTime() - loadStart) / 1e6);

        MainContentExtractor extractor = new MainContentExtractor();
        Report report = run(extractor, pages);
        System.out.printf(Locale.ROOT, "pass 1 (cold JIT): %.2f ms/page mean, %.2f ms median, %.1f ms max%n",
                report.meanMillisPerPage(), report.medianMillisPerPage(), report.maxMillisPerPage());
        for (int round = 2; round <= rounds; round++) {
            report = run(extractor, pages);
            System.out.printf(Locale.ROOT, "pass %d: %.2f ms/page mean, %.2f ms median, %.1f ms max%n", round,
                    report.meanMillisPerPage(), report.medianMillisPerPage(), report.maxMillisPerPage());
        }

        ShingleMetric.Summary summary = report.summary();
        System.out.printf(Locale.ROOT, "pages=%d precision=%.4f recall=%.4f F1=%.4f%n",
                pages.size(), summary.precision(), summary.recall(), summary.f1());

        System.out.printf("%nworst %d pages (F1 P R id url):%n", worst);
        for (PageResult result : report.worst(worst)) {
            System.out.printf(Locale.ROOT, "%.3f %.3f %.3f %s %s%n", result.counts().f1(),
                    result.counts().precision(), result.counts().recall(), result.page().id().substring(0, 12),
                    result.page().url());
        }

        if (options.containsKey("--dump")) {
            dump(report, Path.of(options.get("--dump")));
        }
        if (options.containsKey("--scores")) {
            StringBuilder lines = new StringBuilder();
            for (PageResult result : report.pages()) {
                lines.append(String.format(Locale.ROOT, "%s %.4f %.4f %.4f %s%n", result.page().id(),
                        result.counts().f1(), result.counts().precision(), result.counts().recall(),
                        result.page().url()));
            }
            Files.writeString(Path.of(options.get("--scores")), lines, StandardCharsets.UTF_8);
        }
        if (options.containsKey("--predictions")) {
            Map<String, Map<String, String>> predictions = new LinkedHashMap<>();
            for (PageResult result : report.pages()) {
                predictions.put(result.page().id(), Map.of("articleBody", result.extracted().text()));
            }
            JsonMapper.shared().writeValue(Path.of(options.get("--predictions")).toFile(), predictions);
        }
    }

    private static void dump(Report report, Path directory) {
        try {
            Files.createDirectories(directory);
            for (PageResult result : report.pages()) {
                String id = result.page().id();
                Files.writeString(directory.resolve(id + ".out.txt"),
                        result.extracted().title() + "\n=====\n" + result.extracted().text(), StandardCharsets.UTF_8);
                Files.writeString(directory.resolve(id + ".truth.txt"), result.page().articleBody(),
                        StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got " + Arrays.toString(args));
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }
}
