package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.config.ConfigWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Seeded random mutations (bit flips, deleted and duplicated lines, renamed keys, swapped values, truncation) of
 * valid configs, device profiles, measurement CSVs, journals and a run's config, fed through the command line:
 * every case exits 0 or 2, never 1, and prints no stack trace; a report that exits 2 changes nothing in its run,
 * and the pristine run the copies come from is never changed. Fixed seeds and tries (195 cases); the
 * table estimator and analytical cost models keep DJL out. Each property prints its count and exit codes.
 */
class FuzzInputsTest {

    static final String CONFIG = """
            name: fuzz
            seed: 3
            space: {name: nb201}
            accuracy: {name: table, options: {dataset: cifar10}}
            devices:
              - {name: pi, profile: %s, constraints: {latency_ms: 60}}
              - {name: tpu, profile: edge-tpu}
            objectives: [latency_ms, energy_mj]
            strategy: {name: random, batch_size: 4}
            budget: 8
            executor: {name: local, parallelism: 1}
            """;

    private static Path root;
    private static Path pristine;
    private static Map<String, String> pristineHashes;
    private static byte[] profile;
    private static byte[] measurements;
    private static final Map<String, Integer> CASES = new ConcurrentHashMap<>();

    @BeforeContainer
    static void pristineRun() throws Exception {
        root = Files.createTempDirectory("hwnas-fuzz-");
        Path config = Files.writeString(root.resolve("fuzz.yaml"), CONFIG.formatted("raspi4"));
        pristine = root.resolve("pristine");
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--quiet", "--out", pristine.toString());
        assertEquals(0, r.exitCode(), r.err());
        pristineHashes = hashes(pristine);
        try (InputStream in = FuzzInputsTest.class.getResourceAsStream("/devices/raspi4.json")) {
            profile = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\"name\": \"raspi4\"",
                    "\"name\": \"fuzz-pi\"").getBytes(StandardCharsets.UTF_8);
        }
        measurements = firstRows("/benchmarks/hw_nas_bench_nb201.csv.gz", 41);
    }

    @AfterContainer
    static void pristineRunUnchanged() throws Exception {
        assertEquals(pristineHashes, hashes(pristine), "no generated input changes an existing run");
        System.out.println("FuzzInputsTest cases: " + new TreeMap<>(CASES) + ", "
                + CASES.values().stream().mapToInt(Integer::intValue).sum() + " in all");
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Mutation.Op.class),
                Arbitraries.integers().between(0, 1 << 20), Arbitraries.integers().between(0, 1 << 20))
                .as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 80, seed = "2001", shrinking = ShrinkingMode.OFF)
    void mutatedConfigsExitZeroOrTwo(@ForAll("mutations") List<Mutation> ms) throws Exception {
        Path dir = Files.createTempDirectory(root, "config-");
        Path f = Files.write(dir.resolve("exp.yaml"), Mutation.applyAll(seedConfig("raspi4"), ms));
        check("config", ms, CliRunner.run("search", "--config", f.toString(), "--quiet", "--out",
                dir.resolve("run").toString()));
    }

    @Property(tries = 40, seed = "2002", shrinking = ShrinkingMode.OFF)
    void mutatedProfilesExitZeroOrTwo(@ForAll("mutations") List<Mutation> ms) throws Exception {
        Path dir = Files.createTempDirectory(root, "profile-");
        Path p = Files.write(dir.resolve("fuzz-pi.json"), Mutation.applyAll(profile, ms));
        Path f = Files.write(dir.resolve("exp.yaml"), seedConfig(p.toString()));
        check("profile", ms, CliRunner.run("search", "--config", f.toString(), "--quiet", "--out",
                dir.resolve("run").toString()));
    }

    @Property(tries = 20, seed = "2003", shrinking = ShrinkingMode.OFF)
    void mutatedMeasurementsExitZeroOrTwo(@ForAll("mutations") List<Mutation> ms) throws Exception {
        Path dir = Files.createTempDirectory(root, "csv-");
        Path csv = Files.write(dir.resolve("measured.csv"), Mutation.applyAll(measurements, ms));
        check("measurements", ms, CliRunner.run("cost", "validate", "--space", "nb201", "--device", "raspi4",
                "--measurements", csv.toString(), "--column", "raspi4_latency", "--calibrate", "20"));
    }

    @Property(tries = 25, seed = "2004", shrinking = ShrinkingMode.OFF)
    void mutatedJournalsReportExitZeroOrTwoAndChangeNothingOnTwo(@ForAll("mutations") List<Mutation> ms)
            throws Exception {
        Path copy = copyOfPristine("journal-");
        Path journal = copy.resolve("evaluations.jsonl");
        Files.write(journal, Mutation.applyAll(Files.readAllBytes(journal), ms));
        Map<String, String> before = hashes(copy);
        CliRunner r = CliRunner.run("report", copy.toString());
        check("journal", ms, r);
        if (r.exitCode() == 2) {
            assertEquals(before, hashes(copy), "a report that exits 2 changes nothing: " + r.err());
        }
        assertEquals(pristineHashes, hashes(pristine));
    }

    @Property(tries = 30, seed = "2005", shrinking = ShrinkingMode.OFF)
    void mutatedRunConfigsResumeExitZeroOrTwoAndChangeNothingOnTwo(@ForAll("mutations") List<Mutation> ms)
            throws Exception {
        Path copy = copyOfPristine("resume-");
        Path config = copy.resolve("config.yaml");
        Files.write(config, Mutation.applyAll(Files.readAllBytes(config), ms));
        Map<String, String> before = hashes(copy);
        CliRunner r = CliRunner.run("search", "--resume", copy.toString(), "--quiet");
        check("run config", ms, r);
        if (r.exitCode() == 2) {
            assertEquals(before, hashes(copy), "a resume that exits 2 changes nothing: " + r.err());
        }
        assertEquals(pristineHashes, hashes(pristine));
    }

    private static void check(String kind, List<Mutation> ms, CliRunner r) {
        CASES.merge(kind, 1, Integer::sum);
        Statistics.collect("exit " + r.exitCode());
        assertTrue(r.exitCode() == 0 || r.exitCode() == 2, kind + " " + ms + ": exit " + r.exitCode() + "\n" + r.err());
        assertFalse(r.err().contains("\tat "), kind + " " + ms + ": a stack trace\n" + r.err());
    }

    private static byte[] seedConfig(String profileName) {
        return CONFIG.formatted(profileName).getBytes(StandardCharsets.UTF_8);
    }

    private static Path copyOfPristine(String prefix) throws IOException {
        Path copy = Files.createTempDirectory(root, prefix).resolve("run");
        try (Stream<Path> s = Files.walk(pristine)) {
            for (Path p : s.toList()) {
                Path to = copy.resolve(pristine.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return copy;
    }

    /** SHA-256 of every file under {@code dir}, by relative path. */
    static Map<String, String> hashes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).collect(Collectors.toMap(p -> dir.relativize(p).toString(), p -> {
                try {
                    return ConfigWriter.sha256(Files.readAllBytes(p));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, (x, y) -> x, TreeMap::new));
        }
    }

    private static byte[] firstRows(String resource, int lines) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                FuzzInputsTest.class.getResourceAsStream(resource)), StandardCharsets.UTF_8))) {
            return (r.lines().limit(lines).collect(Collectors.joining("\n")) + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }
}
