package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures the report of a 2,000-evaluation quick-start run: its size, and how long headless
 * Chromium takes to open it: from {@code driver.get} until the first chart is drawn (polled every
 * 50 ms), and on the page's clock (navigation start to first chart; {@code hwnasReport.timing}).
 * Each round starts a fresh browser for a trivial page (what starting a browser and opening any page
 * costs) and a fresh one for the report, then opens the report again in that browser (warm). A
 * bench, not a timed test: {@code mvn -B -o -pl experiments -am test -Dtest=ReportSizeBench
 * -Dhwnas.bench=true -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dhwnas.bench.rounds=7}).
 */
@EnabledIfSystemProperty(named = "hwnas.bench", matches = "true")
class ReportSizeBench {

    /** One opening: wall ms from driver.get to the first chart, page-clock ms to it, and the page's timing. */
    private record Open(double wall, double page, String timing) {
    }

    @Test
    void reportOfTwoThousandEvaluations() throws Exception {
        Path run = QuickstartRun.ROOT.resolve("bench-2000");
        if (Boolean.getBoolean("hwnas.bench.search") || !Files.isRegularFile(run.resolve("report.html"))) {
            QuickstartRun.delete(run);
            CliRunner r = CliRunner.run("search", "--config", SearchCommandTest.QUICKSTART.toString(), "--out",
                    run.toString(), "--quiet", "--budget", "2000");
            assertEquals(0, r.exitCode(), r.err());
        } else { // the run of an earlier bench, its report rebuilt with this build
            assertEquals(0, CliRunner.run("report", run.toString()).exitCode());
        }
        assertEquals(2000, Files.readAllLines(run.resolve("evaluations.jsonl")).size());
        String html = Files.readString(run.resolve("report.html"));
        int data = html.length() - html.indexOf("<script id=\"hwnas-data\"");
        System.out.printf("BENCH report.html %,d bytes (%.2f MB), of which the data and the static body %,d bytes%n",
                Files.size(run.resolve("report.html")), Files.size(run.resolve("report.html")) / 1e6, data);
        Path trivial = run.resolve("trivial.html");
        Files.writeString(trivial, "<!DOCTYPE html><html><head><title>t</title></head><body><p>trivial</p></body></html>");
        String report = run.resolve("report.html").toUri().toString();
        List<Open> blank = new ArrayList<>();
        List<Open> fresh = new ArrayList<>();
        List<Open> warm = new ArrayList<>();
        String loadBefore = load();
        for (int i = 0; i < Integer.getInteger("hwnas.bench.rounds", 7); i++) {
            try (Browser b = Browser.start()) {
                long t0 = System.nanoTime();
                b.driver.get(trivial.toUri().toString());
                blank.add(new Open((System.nanoTime() - t0) / 1e6, ((Number) b.js("return Math.round(performance"
                        + ".getEntriesByType('navigation')[0].loadEventEnd)")).doubleValue(), ""));
            }
            try (Browser b = Browser.start()) {
                fresh.add(open(b, report));
                warm.add(open(b, report));
                if (i == 0) {
                    Object rest = b.js("var t = performance.now(); document.querySelectorAll('.chart').forEach("
                            + "function (c) { window.hwnasReport.draw(c.id); }); return performance.now() - t");
                    System.out.printf("BENCH drawing the other %s charts: %.0f ms%n",
                            b.js("return document.querySelectorAll('.chart').length - 1"), ((Number) rest).doubleValue());
                    b.screenshot("report-2000-evaluations");
                }
                assertEquals(List.of(), b.consoleErrors());
            }
            System.out.printf("BENCH round %d: trivial page %.0f ms; report fresh %.0f ms (page clock %.0f ms: %s),"
                    + " warm %.0f ms (%.0f ms)%n", i + 1, blank.get(i).wall(), fresh.get(i).wall(), fresh.get(i).page(),
                    fresh.get(i).timing(), warm.get(i).wall(), warm.get(i).page());
        }
        System.out.println("BENCH " + fresh.size() + " rounds, load average before " + loadBefore + ", after " + load());
        print("a fresh browser opening a trivial page (wall; load event)", blank);
        print("a fresh browser opening the report (wall to the first chart; page clock)", fresh);
        print("the same browser opening it again (wall; page clock)", warm);
    }

    private static Open open(Browser b, String url) {
        long t0 = System.nanoTime();
        b.open(url);
        double wall = (System.nanoTime() - t0) / 1e6;
        return new Open(wall, ((Number) b.js("return window.hwnasReport.timing.firstChart")).doubleValue(),
                String.valueOf(b.js("var t = window.hwnasReport.timing; return 'scripts start ' + Math.round(t.start)"
                        + " + ', data parsed ' + Math.round(t.parsed) + ', first chart ' + Math.round(t.firstChart)")));
    }

    private static void print(String what, List<Open> opens) {
        System.out.printf("BENCH %s: median %s (%s), page %s%n", what, stats(opens, Open::wall), range(opens, Open::wall),
                stats(opens, Open::page));
    }

    private static String stats(List<Open> opens, Function<Open, Double> f) {
        DescriptiveStatistics s = new DescriptiveStatistics();
        opens.forEach(o -> s.addValue(f.apply(o)));
        return String.format(Locale.ROOT, "%.2f s", s.getPercentile(50) / 1e3);
    }

    private static String range(List<Open> opens, Function<Open, Double> f) {
        DescriptiveStatistics s = new DescriptiveStatistics();
        opens.forEach(o -> s.addValue(f.apply(o)));
        return String.format(Locale.ROOT, "%.2f to %.2f s", s.getMin() / 1e3, s.getMax() / 1e3);
    }

    private static String load() throws java.io.IOException {
        return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    }
}
