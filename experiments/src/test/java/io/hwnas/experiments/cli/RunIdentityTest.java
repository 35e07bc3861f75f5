package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's identity on resume and report: an edit of config.yaml, of a device profile file or of a
 * calibration file since the run started, or a missing or unreadable manifest, exits 2 naming it.
 */
class RunIdentityTest {

    static final String CONFIG = """
            name: identity
            seed: 7
            space: {name: nb201, options: {prune: false}}
            dataset: {name: synthetic}
            accuracy: {name: test-macs}
            devices:
              - {name: pi, profile: %s, calibration: %s}
              - {name: tpu, profile: edge-tpu}
            objectives: [latency_ms]
            strategy: {name: random, batch_size: 4}
            budget: 8
            executor: {name: local, parallelism: 1}
            """;
    static final String AFTER = " since the run started; start a new run from the edited config instead\n";

    @TempDir
    Path tmp;

    /** A finished run whose first device takes its profile and calibration from files in tmp. */
    Path finishedRun() throws Exception {
        Path profile = tmp.resolve("pi.json");
        try (InputStream in = getClass().getResourceAsStream("/devices/raspi4.json")) {
            Files.write(profile, in.readAllBytes());
        }
        Path cal = tmp.resolve("pi-calibration.json");
        Files.writeString(cal, "{\"device\": \"raspi4\", \"model\": \"cpu\", \"numbers\": {}, \"fit\": {\"rows\": 50}}\n");
        Path config = tmp.resolve("identity.yaml");
        Files.writeString(config, CONFIG.formatted(profile, cal));
        Path run = tmp.resolve("run");
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", run.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        return run;
    }

    /** A copy of the run directory (its files, not its subfolders: enough to resume and report). */
    Path copy(Path run, String name) throws Exception {
        Path to = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    static void assertRefused(Path dir, String message) {
        for (String[] args : List.of(new String[] {"search", "--resume", dir.toString(), "--quiet"},
                new String[] {"report", dir.toString()})) {
            CliRunner r = CliRunner.run(args);
            assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.err());
            assertEquals("hwnas " + args[0] + ": " + message, r.err());
        }
    }

    @Test
    void anEditOfTheConfigSinceTheRunStartedIsRefusedNamingTheChange() throws Exception {
        Path run = finishedRun();
        String yaml = Files.readString(run.resolve("config.yaml"));
        Map<String, String[]> edits = new LinkedHashMap<>();
        edits.put("seed changed from 7 to 8", new String[] {"seed: 7", "seed: 8"});
        edits.put("budget changed from 8 to 9", new String[] {"budget: 8", "budget: 9"});
        edits.put("dataset.name changed from synthetic to cifar10", new String[] {"name: \"synthetic\"", "name: \"cifar10\""});
        edits.put("space.options.prune changed from false to true", new String[] {"prune: false", "prune: true"});
        edits.put("devices[1].profile changed from edge-tpu to jetson-tx2",
                new String[] {"profile: \"edge-tpu\"", "profile: \"jetson-tx2\""});
        edits.put("devices[1].batch changed from 1 to 2, devices[1].constraints.latency_ms was added (5.0)",
                new String[] {"batch: 1\n  constraints: {}", "batch: 2\n  constraints:\n    latency_ms: 5.0"});
        int i = 0;
        for (Map.Entry<String, String[]> e : edits.entrySet()) {
            Path dir = copy(run, "edit-" + i++);
            String edited = yaml.replaceFirst(java.util.regex.Pattern.quote(e.getValue()[0]), e.getValue()[1]);
            assertTrue(!edited.equals(yaml), "the edit applies: " + e.getKey() + "\n" + yaml);
            Files.writeString(dir.resolve("config.yaml"), edited);
            assertRefused(dir, dir.resolve("config.yaml") + ": " + e.getKey() + AFTER);
        }
        // the unedited run resumes and reports
        Path same = copy(run, "same");
        assertEquals(0, CliRunner.run("search", "--resume", same.toString(), "--quiet").exitCode());
        assertEquals(0, CliRunner.run("report", same.toString()).exitCode());
    }

    @Test
    void anEditOfAProfileOrCalibrationFileOrAMissingManifestIsRefused() throws Exception {
        Path run = finishedRun();
        Path profile = tmp.resolve("pi.json");
        String original = Files.readString(profile);
        Files.writeString(profile, original.replaceFirst("\"value\": 47.9", "\"value\": 48.9"));
        Path dir = copy(run, "profile");
        String changed = java.util.regex.Pattern.quote(dir.resolve("config.yaml") + ": device pi: the content of its "
                + "profile raspi4 changed (sha256 " + sha(run, "pi", "profile_sha256") + " -> ") + "[0-9a-f]{12}\\)"
                + java.util.regex.Pattern.quote(AFTER);
        for (String[] args : List.of(new String[] {"search", "--resume", dir.toString()}, new String[] {"report",
                dir.toString()})) {
            CliRunner r = CliRunner.run(args);
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().matches("hwnas " + args[0] + ": " + changed), r.err());
        }
        Files.writeString(profile, original);

        Path cal = tmp.resolve("pi-calibration.json");
        Files.writeString(cal, Files.readString(cal).replace("50", "51"));
        dir = copy(run, "calibration");
        assertRefused(dir, dir.resolve("config.yaml") + ": device pi: the content of its calibration " + cal
                + " changed (sha256 " + sha(run, "pi", "calibration_sha256") + " -> "
                + io.hwnas.experiments.config.ConfigWriter.sha256(Files.readAllBytes(cal)).substring(0, 12) + ")" + AFTER);

        dir = copy(run, "no-manifest");
        Files.delete(dir.resolve("manifest.json"));
        assertRefused(dir, dir.resolve("manifest.json") + " is missing; the run's config and devices cannot be "
                + "checked, so it is neither resumed nor reported; start a new run from its config instead\n");
        dir = copy(run, "bad-manifest");
        Files.writeString(dir.resolve("manifest.json"), "{\"seed\": 7}");
        assertRefused(dir, dir.resolve("manifest.json") + " is not a manifest hwnas wrote; the run's config and "
                + "devices cannot be checked, so it is neither resumed nor reported; start a new run from its config instead\n");
    }

    @Test
    void aManifestWithoutTheConfigIsCheckedByTheConfigHash() throws Exception {
        Path run = finishedRun();
        com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.hwnas.core.io.Json.MAPPER.readTree(run.resolve("manifest.json").toFile());
        m.remove("config"); // as manifests written before it recorded the config
        Files.writeString(run.resolve("manifest.json"), m.toPrettyString());
        Path same = copy(run, "same");
        assertEquals(0, CliRunner.run("report", same.toString()).exitCode());
        Path dir = copy(run, "seed");
        Files.writeString(dir.resolve("config.yaml"), Files.readString(dir.resolve("config.yaml"))
                .replace("seed: 7", "seed: 8"));
        assertRefused(dir, dir.resolve("config.yaml") + ": the config (its sha256 differs from the manifest's "
                + "config_hash)" + AFTER);
    }

    static String sha(Path run, String device, String key) throws Exception {
        return io.hwnas.core.io.Json.MAPPER.readTree(run.resolve("manifest.json").toFile()).path("devices")
                .path(device).path(key).asText().substring(0, 12);
    }
}
