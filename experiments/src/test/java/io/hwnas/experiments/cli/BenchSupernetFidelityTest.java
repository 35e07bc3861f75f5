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
        assertEquals("arch,latency_ms,macs,supernet_top1,standalone_top1,train_seconds,standalone_collapsed",
                lines.get(0));
        assertEquals(4, lines.size(), lines.toString());
        double[] latency = new double[3];
        double[] inherited = new double[3];
        int collapsed = 0;
        for (int i = 0; i < 3; i++) {
            String[] f = lines.get(i + 1).replaceFirst("^\"[^\"]*\",", "").split(",");
            latency[i] = Double.parseDouble(f[0]);
            inherited[i] = Double.parseDouble(f[2]);
            double standalone = Double.parseDouble(f[3]);
            assertTrue(inherited[i] >= 0 && inherited[i] <= 100 && standalone >= 0 && standalone <= 100);
            assertEquals(FidelityReference.collapsed(standalone, 10, 64), Boolean.parseBoolean(f[5]), lines.get(i));
            collapsed += Boolean.parseBoolean(f[5]) ? 1 : 0;
        }
        assertTrue(latency[0] <= latency[1] && latency[1] <= latency[2] && latency[0] < latency[2],
                "picked over the latency range: " + lines);
        assertEquals(3, o.path("subnets").asInt());
        assertEquals(3 - collapsed, o.path("subnets_compared").asInt(), bench.out());

        CliRunner bad = CliRunner.run("bench", "supernet-fidelity", "--checkpoint", tmp.resolve("supernet")
                .toString(), "--subnets", "2");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--subnets >= 3"), bad.err());
        reusesAReference(lines, inherited);
    }

    /**
     * {@code --reference} takes the standalone side from a CSV: the same pairs and correlations without training;
     * a row at chance is left out as collapsed; a reference lacking a subnet, or with a bad value, exits 2.
     */
    private void reusesAReference(List<String> lines, double[] inherited) throws Exception {
        Path ref = reference("ref.csv", lines, 50, 70, 60);
        String[] args = {"bench", "supernet-fidelity", "--checkpoint", tmp.resolve("supernet").toString(),
            "--subnets", "3", "--pool", "8", "--validation-images", "64", "--bn-batches", "2", "--bn-batch-size",
            "16", "--threads", "1", "--json", "--reference", ref.toString(), "--csv", tmp.resolve("again.csv")
                .toString()};
        CliRunner again = CliRunner.run(args);
        assertEquals(0, again.exitCode(), again.err());
        JsonNode o = Json.MAPPER.readTree(again.out());
        double[] standalone = {50, 70, 60};
        assertEquals(new KendallsCorrelation().correlation(inherited, standalone), o.path("kendall_tau").asDouble(),
                1e-12, again.out());
        assertEquals(new SpearmansCorrelation().correlation(inherited, standalone),
                o.path("spearman_rho").asDouble(), 1e-12);
        assertEquals(ref.toString(), o.path("standalone_reference").asText());
        assertEquals(3, o.path("subnets_compared").asInt());
        List<FidelityReference.Standalone> rows = List.copyOf(FidelityReference.read(tmp.resolve("again.csv"))
                .values()); // the written CSV reads back as a reference
        assertEquals(new FidelityReference.Standalone(70.0, 1.0), rows.get(1), rows.toString());

        args[args.length - 3] = reference("chance.csv", lines, 50, 70, 10.5).toString();
        CliRunner left = CliRunner.run(args);
        assertEquals(0, left.exitCode(), left.err());
        assertEquals(2, Json.MAPPER.readTree(left.out()).path("subnets_compared").asInt(), left.out());
        assertEquals(1, Json.MAPPER.readTree(left.out()).path("standalone_collapsed").asInt());
        assertTrue(left.err().contains("standalone 10.50% (" + tmp.resolve("chance.csv") + ", 1 s); the standalone "
                + "training collapsed (no better than chance)"), left.err());

        Path partial = Files.writeString(tmp.resolve("partial.csv"), lines.get(0) + "\n" + lines.get(1) + "\n");
        args[args.length - 3] = partial.toString();
        CliRunner missing = CliRunner.run(args);
        assertEquals(2, missing.exitCode(), missing.err());
        assertTrue(missing.err().contains(partial + ": no row for subnet "), missing.err());
        Path text = Files.writeString(tmp.resolve("text.csv"), lines.get(0) + "\n"
                + lines.get(1).replaceFirst(",[^,]*,([^,]*,[^,]*)$", ",high,$1") + "\n");
        args[args.length - 3] = text.toString();
        CliRunner notNumber = CliRunner.run(args);
        assertEquals(2, notNumber.exitCode(), notNumber.err());
        assertTrue(notNumber.err().contains(text + ": row 2: standalone_top1 = 'high' is not allowed; expected a "
                + "number"), notNumber.err());
    }

    /** The first run's CSV with these standalone accuracies (and 1 s of training each). */
    private Path reference(String name, List<String> lines, double... standalone) throws Exception {
        StringBuilder b = new StringBuilder(lines.get(0)).append('\n');
        for (int i = 0; i < standalone.length; i++) {
            String arch = lines.get(i + 1).substring(0, lines.get(i + 1).lastIndexOf('"') + 1);
            b.append(arch).append(",1,1,50,").append(standalone[i]).append(",1.0,false\n");
        }
        return Files.writeString(tmp.resolve(name), b.toString());
    }

    /** Latency spacing represents the sparse extremes; rank spacing, the pool's quantiles (its crowded middle). */
    @Test
    void latencySpacingPicksNearestToEvenlySpacedLatenciesAndRankSpacingByQuantile() {
        List<BenchSupernetFidelityCommand.Picked> pool = java.util.stream.DoubleStream.of(1.0, 1.1, 1.2, 1.3, 1.4,
                4.0, 4.9, 10.0).mapToObj(l -> new BenchSupernetFidelityCommand.Picked(null, l)).toList();
        assertEquals(List.of(1.0, 4.9, 10.0), latencies(BenchSupernetFidelityCommand.byLatency(pool, 3)));
        assertEquals(List.of(1.0, 4.0, 4.9, 10.0), latencies(BenchSupernetFidelityCommand.byLatency(pool, 4)));
        assertEquals(List.of(1.0, 1.4, 10.0), latencies(BenchSupernetFidelityCommand.byRank(pool, 3)));
        // more subnets than distinct targets: each still picked once
        assertEquals(List.of(1.0, 1.1, 1.2, 1.3, 1.4, 4.0, 4.9, 10.0),
                latencies(BenchSupernetFidelityCommand.byLatency(pool, 8)));
    }

    private static List<Double> latencies(List<BenchSupernetFidelityCommand.Picked> picked) {
        return picked.stream().map(BenchSupernetFidelityCommand.Picked::latencyMs).toList();
    }

    @Test
    void aStandaloneTopOneWithinThreeStandardErrorsOfChanceHasCollapsed() {
        assertTrue(FidelityReference.collapsed(9.9, 10, 5000));
        assertTrue(FidelityReference.collapsed(11.2, 10, 5000)); // 10% + 3 x 0.42%
        assertTrue(!FidelityReference.collapsed(11.4, 10, 5000));
        assertTrue(FidelityReference.collapsed(19.0, 10, 64)); // 10% + 3 x 3.75%
        assertTrue(!FidelityReference.collapsed(85.0, 10, 64));
        assertTrue(FidelityReference.collapsed(Double.NaN, 10, 64));
    }
}
