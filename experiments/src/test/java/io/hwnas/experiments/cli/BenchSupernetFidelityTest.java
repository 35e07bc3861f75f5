package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas bench supernet-fidelity} on a tiny supernet: the CSV, the latency span and the correlations. */
class BenchSupernetFidelityTest {

    @TempDir
    Path tmp;

    @Test
    void writesThePairsSortedByLatencyAndTheirRankCorrelations() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("tiny.yaml"), SupernetCommandTest.config(5, 2),
                StandardCharsets.UTF_8);
        CliRunner train = CliRunner.run("supernet", "train", "--config", cfg.toString(), "--quiet");
        assertEquals(0, train.exitCode(), train.err());
        Path csv = tmp.resolve("fidelity.csv");
        CliRunner bench = CliRunner.run("bench", "supernet-fidelity", "--checkpoint", tmp.resolve("supernet")
                .toString(), "--subnets", "3", "--pool", "8", "--steps", "2", "--batch", "16", "--warmup", "1",
                "--validation-images", "64", "--bn-batches", "2", "--bn-batch-size", "16", "--threads", "1",
                "--csv", csv.toString(), "--json");
        assertEquals(0, bench.exitCode(), bench.err());
        JsonNode o = Json.MAPPER.readTree(bench.out());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("arch,latency_ms,macs,supernet_top1,standalone_top1,train_seconds", lines.get(0));
        assertEquals(4, lines.size(), lines.toString());
        double[] latency = new double[3];
        double[] inherited = new double[3];
        double[] standalone = new double[3];
        for (int i = 0; i < 3; i++) {
            String[] f = lines.get(i + 1).replaceFirst("^\"[^\"]*\",", "").split(",");
            latency[i] = Double.parseDouble(f[0]);
            inherited[i] = Double.parseDouble(f[2]);
            standalone[i] = Double.parseDouble(f[3]);
            assertTrue(inherited[i] >= 0 && inherited[i] <= 100 && standalone[i] >= 0 && standalone[i] <= 100);
        }
        assertTrue(latency[0] <= latency[1] && latency[1] <= latency[2] && latency[0] < latency[2],
                "picked over the latency range: " + lines);
        assertEquals(new KendallsCorrelation().correlation(inherited, standalone), o.path("kendall_tau").asDouble(),
                1e-3, bench.out());
        assertEquals(new SpearmansCorrelation().correlation(inherited, standalone),
                o.path("spearman_rho").asDouble(), 1e-3);
        assertEquals(3, o.path("subnets").asInt());

        CliRunner bad = CliRunner.run("bench", "supernet-fidelity", "--checkpoint", tmp.resolve("supernet")
                .toString(), "--subnets", "2");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--subnets >= 3"), bad.err());
    }
}
