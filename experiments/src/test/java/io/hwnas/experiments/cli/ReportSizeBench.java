package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures the report of a 2,000-evaluation quick-start run: its size, and how long headless
 * Chromium takes to open it (navigation start to every chart drawn). A bench, not a timed test:
 * {@code mvn -B -o -pl experiments -am test -Dtest=ReportSizeBench -Dhwnas.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "hwnas.bench", matches = "true")
class ReportSizeBench {

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
        long bytes = Files.size(run.resolve("report.html"));
        try (Browser b = Browser.start()) {
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                b.open(run.resolve("report.html").toUri().toString());
                double wall = (System.nanoTime() - t0) / 1e9;
                Object opened = b.js("return performance.now()");
                System.out.println("BENCH timing (ms from navigation): " + b.js("return JSON.stringify(window.hwnasReport.timing)"));
                Object rest = b.js("var t = performance.now(); document.querySelectorAll('.chart').forEach(function (c) {"
                        + " window.hwnasReport.draw(c.id); }); return performance.now() - t");
                System.out.printf("BENCH report.html %,d bytes (%.2f MB); open %d: %.2f s wall until the charts in view"
                        + " are drawn (%.0f ms page clock, DOMContentLoaded %s ms); drawing the rest of the %s charts %.0f ms more%n",
                        bytes, bytes / 1e6, i + 1, wall, ((Number) opened).doubleValue(),
                        b.js("return Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventStart)"),
                        b.js("return document.querySelectorAll('.chart').length"), ((Number) rest).doubleValue());
                assertEquals(List.of(), b.consoleErrors());
            }
            b.screenshot("report-2000-evaluations");
        }
    }
}
