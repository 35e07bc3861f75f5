package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The report's strategy views, parallel coordinates and toggles in headless Chromium, on a copy of
 * the quick start's run given a NetAdapt-style trajectory, REINFORCE-style rewards and rung steps.
 */
class ReportViewsBrowserTest {

    @TempDir
    Path tmp;

    @Test
    void strategyViewsParallelCoordinatesAndTogglesDrawWithoutErrors() throws Exception {
        Browser.assumeAvailable();
        Path run = ReportCommandTest.copy(QuickstartRun.dir(), tmp.resolve("views"));
        Files.writeString(run.resolve("strategy-report.json"), """
                {"metric": "latency_ms@raspi4", "initial_latency": 20.0, "latency_budget": 10.0, "stop": "budget met",
                 "trajectory": [
                   {"iteration": 0, "target": 20.0, "shrunk": "-", "latency": 20.0, "accuracy": 0.91, "candidates": 0, "arch": "a"},
                   {"iteration": 1, "target": 15.0, "shrunk": "stage 2", "latency": 14.5, "accuracy": 0.89, "candidates": 4, "arch": "b"},
                   {"iteration": 2, "target": 10.0, "shrunk": "stage 3", "latency": 9.8, "accuracy": 0.86, "candidates": 4, "arch": "c"}],
                 "rewards": [0.1, 0.3, 0.2, 0.5, 0.4, 0.6, 0.7, 0.65]}
                """);
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("evaluations.jsonl"))) {
            lines.add(l.replace("\"metrics\":{", "\"metrics\":{\"fidelity.steps\":" + (lines.size() % 3 == 0 ? 90 : 10)
                    + ".0,"));
        }
        Files.write(run.resolve("evaluations.jsonl"), lines);
        CliRunner r = CliRunner.run("report", run.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.readString(run.resolve("report.html")).contains("Strategy trajectory"));
        long drawable = QuickstartSlurmTest.journal(run).stream().filter(e -> finite(e, "accuracy")
                && SearchCommandTest.DEVICES.stream().allMatch(d -> finite(e, "latency_ms@" + d))).count();
        try (Browser b = Browser.start()) {
            b.open(run.resolve("report.html").toUri().toString());
            assertEquals(List.of(), b.consoleErrors(), "console errors");
            assertEquals(3, ((Number) b.counts("view-netadapt").get("trajectory")).intValue());
            assertEquals(8, ((Number) b.counts("view-rewards").get("reward")).intValue());
            assertEquals(240, ((Number) b.counts("view-rungs").get("rungs")).intValue());
            assertEquals(drawable, ((Number) b.counts("parallel").get("evaluated")).longValue());
            b.js("document.getElementById('strategy-views').scrollIntoView()");
            b.screenshot("report-strategy-views");
            b.js("document.getElementById('decisions').scrollIntoView()");
            b.screenshot("report-parallel-coordinates");
            b.js("window.scrollTo(0, 0)");
            b.driver.findElement(By.id("show-evaluated")).click();
            for (String id : List.of("scatter-0-latency_ms", "scatter-2-latency_ms")) { // drawn before, drawn after
                assertEquals(Boolean.FALSE, b.js("window.hwnasReport.draw(arguments[0]);"
                        + "return window.hwnasReport.charts[arguments[0]].getOption().legend[0].selected.evaluated", id));
            }
            b.driver.findElement(By.id("pair-energy_mj")).click();
            assertEquals("none", b.js("return document.getElementById('scatter-0-energy_mj').style.display"));
            b.screenshot("report-toggles");
            assertEquals(List.of(), b.consoleErrors(), "console errors");
            assertEveryChartKeepsWhatItAskedFor(b);
        }
    }

    /**
     * The report's ECharts build holds only what the page uses, and ECharts drops a series type or
     * component it lacks without a word: with every chart drawn (the breakdown's too), each keeps its
     * title, series, legend, tooltip, grid and axes or parallel axes, and the page draws every series type.
     */
    static void assertEveryChartKeepsWhatItAskedFor(Browser b) {
        Object found = b.js("""
                var R = window.hwnasReport, missing = [], types = {};
                document.querySelectorAll('.chart').forEach(function (c) { if (c.id) { R.draw(c.id); } });
                R.select(R.data.members[0].a);
                Object.keys(R.charts).forEach(function (id) {
                  var o = R.charts[id].getOption(), has = function (k) { return o[k] && o[k].length > 0; };
                  var want = ['title', 'series'].concat(id === 'parallel' ? ['parallel', 'parallelAxis', 'legend']
                    : ['tooltip', 'grid', 'xAxis', 'yAxis']).concat(id.indexOf('scatter-') === 0 ? ['legend'] : []);
                  want.forEach(function (k) { if (!has(k)) { missing.push(id + ': ' + k); } });
                  (o.series || []).forEach(function (s) { types[s.type] = true; });
                });
                return [missing, Object.keys(types).sort(), Object.keys(R.charts).length];""");
        List<?> r = (List<?>) found;
        assertEquals(List.of(), r.get(0), "parts of charts the page's ECharts build dropped");
        assertEquals(List.of("bar", "line", "parallel", "scatter"), r.get(1), "series types drawn");
        assertTrue(((Number) r.get(2)).intValue() > 10, "charts drawn: " + r.get(2));
        assertEquals(List.of(), b.consoleErrors(), "console errors");
    }

    @Test
    void failedEvaluationsAreListedByReason() throws Exception {
        Browser.assumeAvailable();
        Path run = ReportCommandTest.copy(QuickstartRun.dir(), tmp.resolve("failed"));
        List<String> lines = new ArrayList<>();
        int k = 0;
        for (String l : Files.readAllLines(run.resolve("evaluations.jsonl"))) {
            String why = k % 2 == 0 ? "training diverged: loss NaN at step 3" : "cannot export: <grouped> conv";
            boolean fail = k < 5 && l.contains("\"status\":\"OK\"");
            lines.add(fail ? l.replace("\"status\":\"OK\"", "\"status\":\"FAILED\",\"error\":\"" + why + "\"") : l);
            k += fail ? 1 : 0;
        }
        Files.write(run.resolve("evaluations.jsonl"), lines);
        CliRunner r = CliRunner.run("report", run.toString());
        assertEquals(0, r.exitCode(), r.err());
        long failed = QuickstartSlurmTest.journal(run).stream()
                .filter(e -> e.status() == Evaluation.Status.FAILED).count();
        try (Browser b = Browser.start()) {
            b.open(run.resolve("report.html").toUri().toString());
            assertEquals(List.of(), b.consoleErrors(), "console errors");
            Object rows = b.js("return Array.from(document.querySelectorAll('#failed-list table.failed-reasons tr'))"
                    + ".slice(1).map(function (t) { return t.cells[0].textContent + ' ' + t.cells[1].textContent; })");
            assertEquals(List.of("3 training diverged: loss NaN at step 3", "2 cannot export: <grouped> conv"), rows);
            assertEquals(failed, ((Number) b.js("return document.querySelectorAll('#failed-list table.failed tr')"
                    + ".length - 1")).longValue());
            b.js("document.getElementById('failed-evaluations').scrollIntoView()");
            b.screenshot("report-failed-evaluations");
        }
    }

    static boolean finite(Evaluation e, String metric) {
        return Double.isFinite(e.metric(metric));
    }
}
