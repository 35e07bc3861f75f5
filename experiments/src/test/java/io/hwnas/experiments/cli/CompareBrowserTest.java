package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.io.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas report --compare} of the quick start with seeds 1 and 2, in headless Chromium. */
class CompareBrowserTest {

    @TempDir
    Path tmp;

    @Test
    void theComparePageShowsBothRunsFrontsOnEveryDeviceChart() throws Exception {
        Browser.assumeAvailable();
        Path a = QuickstartRun.dir();
        Path b = QuickstartRun.search("quickstart-seed2", 2);
        Path out = tmp.resolve("compare.html");
        CliRunner r = CliRunner.run("report", "--compare", a.toString(), b.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        try (Browser br = Browser.start()) {
            br.open(out.toUri().toString());
            assertEquals(List.of(), br.consoleErrors(), "console errors");
            for (String url : br.requests()) {
                assertTrue(url.startsWith("file:") || url.startsWith("data:"), "a network request: " + url);
            }
            for (int i = 0; i < SearchCommandTest.DEVICES.size(); i++) {
                String device = SearchCommandTest.DEVICES.get(i);
                Map<String, Object> counts = br.counts("compare-" + i);
                assertEquals(2, counts.size(), device + " " + counts);
                for (Path run : List.of(a, b)) {
                    int members = Json.MAPPER.readTree(run.resolve("pareto/" + device + ".json").toFile())
                            .path("members").size();
                    String name = (run == a ? "1: quickstart (nsga2, seed 1)" : "2: quickstart-seed2 (nsga2, seed 2)");
                    assertEquals(members, ((Number) counts.get(name)).intValue(), device + " " + counts);
                }
            }
            br.screenshot("compare");
        }
    }
}
