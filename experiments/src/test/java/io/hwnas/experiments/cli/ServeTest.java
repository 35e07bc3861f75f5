package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas serve} as a user runs it (its own JVM): a live view in Chromium, read-only, a taken port. */
class ServeTest {

    @TempDir
    Path tmp;

    @Test
    void aTakenPortExitsTwoWithAMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRunner r = CliRunner.run("serve", QuickstartRun.dir().toString(), "--port",
                    String.valueOf(taken.getLocalPort()));
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains("127.0.0.1:" + taken.getLocalPort()) && r.err().contains("--port"), r.err());
        }
    }

    @Test
    void anEvaluationAppendedToTheJournalShowsUpWithinFiveSecondsAndNothingIsWritten() throws Exception {
        Browser.assumeAvailable();
        Path run = ReportCommandTest.copy(QuickstartRun.dir(), tmp.resolve("live"));
        List<String> lines = Files.readAllLines(run.resolve("evaluations.jsonl"));
        Files.writeString(run.resolve("evaluations.jsonl"), String.join("\n", lines.subList(0, 200)) + "\n"
                + lines.get(200).substring(0, 50)); // a line being written: left out until it ends
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = SearchCommandTest.start(tmp.resolve("serve.log"), "serve", run.toString(), "--port",
                String.valueOf(port));
        try (Browser b = Browser.start()) {
            String base = "http://127.0.0.1:" + port + "/";
            HttpClient http = HttpClient.newHttpClient();
            awaitUp(http, base, p);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "run/0/data.json"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode(), "read-only");
            Map<String, String> before = ReportCommandTest.snapshot(run);
            b.open(base + "run/0/");
            assertEquals(200L, b.js("return window.hwnasReport.data.evals.length"));
            long shown = total(b);
            Files.writeString(run.resolve("evaluations.jsonl"), lines.get(200).substring(50) + "\n",
                    StandardOpenOption.APPEND);
            long t0 = System.nanoTime();
            b.waitFor("return window.hwnasReport.data.evals.length === 201", 5);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(shown + SearchCommandTest.DEVICES.size(), total(b), "the new point on every device's chart");
            assertTrue(((String) b.js("return document.getElementById('live-status').textContent"))
                    .contains("201 evaluations"));
            System.out.printf("serve: the appended evaluation showed after %.2f s%n", seconds);
            b.screenshot("serve-live");
            assertEquals(List.of(), b.consoleErrors(), "console errors");
            for (String url : b.requests()) {
                assertTrue(url.startsWith(base) || url.startsWith("data:"), "a request elsewhere: " + url);
            }
            Map<String, String> after = ReportCommandTest.snapshot(run);
            after.remove("evaluations.jsonl");
            before.remove("evaluations.jsonl");
            assertEquals(before, after, "serve writes nothing");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The points of every device's accuracy-vs-latency chart, all kinds together. */
    static long total(Browser b) {
        long n = 0;
        for (int i = 0; i < SearchCommandTest.DEVICES.size(); i++) {
            Map<String, Object> c = b.counts("scatter-" + i + "-latency_ms");
            for (String k : List.of("evaluated", "infeasible", "failed")) {
                n += ((Number) c.get(k)).longValue();
            }
        }
        return n;
    }

    static void awaitUp(HttpClient http, String base, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            assertTrue(p.isAlive(), "serve ended");
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("serve did not answer at " + base);
    }
}
