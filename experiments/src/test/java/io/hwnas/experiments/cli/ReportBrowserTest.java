package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.io.Json;
import io.hwnas.search.Evaluation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/** The quick start's report.html in headless Chromium: what a user sees, hovers and clicks. */
class ReportBrowserTest {

    @Test
    void theReportLoadsOfflineWithoutErrorsAndEachDeviceChartShowsEveryPoint() throws Exception {
        Browser.assumeAvailable();
        Path run = QuickstartRun.dir();
        try (Browser b = Browser.start()) {
            b.open(run.resolve("report.html").toUri().toString());
            assertEquals(List.of(), b.consoleErrors(), "console errors");
            for (String url : b.requests()) {
                assertTrue(url.startsWith("file:") || url.startsWith("data:"), "a network request: " + url);
            }
            List<Evaluation> journal = QuickstartSlurmTest.journal(run);
            for (int i = 0; i < SearchCommandTest.DEVICES.size(); i++) {
                String device = SearchCommandTest.DEVICES.get(i);
                Map<String, Object> counts = b.counts("scatter-" + i + "-latency_ms");
                long admitted = journal.stream().filter(e -> admitted(e, device)).count();
                long plotted = journal.stream().filter(e -> finite(e, "accuracy")
                        && finite(e, "latency_ms@" + device)).count();
                int front = Json.MAPPER.readTree(run.resolve("pareto/" + device + ".json").toFile()).path("members").size();
                assertEquals(admitted, ((Number) counts.get("evaluated")).longValue(), device + " " + counts);
                assertEquals(plotted - admitted, ((Number) counts.get("infeasible")).longValue()
                        + ((Number) counts.get("failed")).longValue(), device + " " + counts);
                assertEquals(front, ((Number) counts.get("Pareto set")).intValue(), device + " " + counts);
                assertEquals(0, ((Number) counts.get("selected")).intValue());
            }
            b.screenshot("report-overview");
        }
    }

    @Test
    void hoveringAParetoPointShowsItsArchitectureAndClickingShowsItsPerLayerBreakdown() throws Exception {
        Browser.assumeAvailable();
        Path run = QuickstartRun.dir();
        try (Browser b = Browser.start()) {
            b.open(run.resolve("report.html").toUri().toString());
            Point p = Point.hover(b, "scatter-1-latency_ms", "Pareto set");
            String arch = p.arch();
            b.screenshot("report-hover");
            p.click();
            b.waitFor("var p = document.getElementById('breakdown'); return p.style.display !== 'none'"
                    + " && !!window.hwnasReport.charts['layers-latency']", 5);
            WebElement panel = b.driver.findElement(By.id("breakdown"));
            assertTrue(panel.getText().contains(arch) && panel.getText().contains("Per-layer breakdown"), panel.getText());
            Map<String, Object> layers = b.counts("layers-latency");
            assertTrue(layers.size() > 3, "one bar segment per layer: " + layers);
            for (Object devices : layers.values()) {
                assertEquals(SearchCommandTest.DEVICES.size(), ((Number) devices).intValue(), "a bar per device");
            }
            assertTrue(b.counts("layers-energy").size() > 3);
            for (int i = 0; i < SearchCommandTest.DEVICES.size(); i++) {
                assertEquals(1, ((Number) b.counts("scatter-" + i + "-energy_mj").get("selected")).intValue(),
                        "the member is highlighted on every device's chart");
            }
            b.screenshot("report-breakdown");
            assertEquals(List.of(), b.consoleErrors(), "console errors");
        }
    }

    @Test
    void aSeriesDrawnInLargeModeStillShowsAPointsArchitectureOnHoverAndSelectsItOnClick() throws Exception {
        Browser.assumeAvailable();
        Path run = QuickstartRun.dir();
        try (Browser b = Browser.start()) {
            b.open(run.resolve("report.html").toUri().toString());
            String id = "scatter-" + (SearchCommandTest.DEVICES.size() - 1) + "-latency_ms"; // not drawn yet: far below
            assertEquals(Boolean.TRUE, b.js("var R = window.hwnasReport; R.large = 5; return !R.charts[arguments[0]]", id));
            Point p = Point.hover(b, id, "evaluated");
            assertEquals(Boolean.TRUE, b.js("return window.hwnasReport.charts[arguments[0]].getOption().series[0].large", id));
            p.click();
            b.waitFor("return window.hwnasReport.selected === " + Json.MAPPER.writeValueAsString(p.arch()), 5);
            assertTrue(b.driver.findElement(By.id("breakdown")).getText().contains(p.arch()));
            assertEquals(List.of(), b.consoleErrors(), "console errors");
        }
    }

    /** A point of a chart, hovered: its architecture shows in the tooltip. */
    record Point(Browser b, WebElement chart, int x, int y, String arch) {

        /** Hovers the point of {@code series} farthest from any other point of chart {@code id}. */
        static Point hover(Browser b, String id, String series) throws Exception {
            WebElement chart = b.driver.findElement(By.id(id));
            b.js("arguments[0].scrollIntoView({block: 'center'})", chart);
            List<?> hit = (List<?>) b.js(ISOLATED_POINT, id, series);
            int x = (int) Math.round(((Number) hit.get(0)).doubleValue() - chart.getSize().getWidth() / 2.0);
            int y = (int) Math.round(((Number) hit.get(1)).doubleValue() - chart.getSize().getHeight() / 2.0);
            Point p = new Point(b, chart, x, y, (String) hit.get(2));
            new Actions(b.driver).moveToElement(chart, x, y).perform();
            b.waitFor("return document.getElementById('" + id + "').textContent.indexOf("
                    + Json.MAPPER.writeValueAsString(p.arch()) + ") >= 0", 5);
            return p;
        }

        void click() {
            new Actions(b.driver).moveToElement(chart, x, y).click().perform();
        }
    }

    /** The pixel position and architecture of the point of a series farthest from any other point of the chart. */
    static final String ISOLATED_POINT = "var R = window.hwnasReport, series = arguments[1]; R.draw(arguments[0]);"
            + "var c = R.charts[arguments[0]], all = [];"
            + "c.getOption().series.forEach(function (s) { s.data.forEach(function (p) {"
            + "  all.push({s: s.name, p: p, px: c.convertToPixel({seriesName: s.name}, [p[0], p[1]])}); }); });"
            + "var best = null, bestD = -1;"
            + "all.forEach(function (a) { if (a.s !== series) { return; } var d = Infinity;"
            + "  all.forEach(function (o) { if (o !== a) { d = Math.min(d, Math.hypot(o.px[0] - a.px[0], o.px[1] - a.px[1])); } });"
            + "  if (d > bestD) { bestD = d; best = a; } });"
            + "return [best.px[0], best.px[1], (best.p[2] === 'm' ? R.data.members : R.data.evals)[best.p[3]].a];";

    static boolean finite(Evaluation e, String metric) {
        return Double.isFinite(e.metric(metric));
    }

    /** Admitted on the device: not failed, with accuracy, no violation, within the quick start's constraint. */
    static boolean admitted(Evaluation e, String device) {
        return e.status() != Evaluation.Status.FAILED && finite(e, "accuracy")
                && !(e.metric("violations@" + device) > 0)
                && finite(e, "latency_ms@" + device) && finite(e, "energy_mj@" + device)
                && (!device.equals("raspi4") || e.metric("latency_ms@raspi4") <= 60);
    }
}
