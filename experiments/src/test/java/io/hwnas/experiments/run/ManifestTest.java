package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.RunSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** manifest.json records the executor: local, or slurm with the cluster's name from scontrol. */
class ManifestTest {

    @TempDir
    Path tmp;

    Path script(String name, String body) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    JsonNode manifest(String executor) throws Exception {
        Path f = tmp.resolve(executor + ".yaml");
        Files.writeString(f, RunnerTest.CONFIG.replace("executor: {name: local, parallelism: 2}",
                "executor: {name: " + executor + ", parallelism: 2"
                        + (executor.equals("slurm") ? ", options: {launcher: /x/hwnas}" : "") + "}"));
        ExperimentConfig c = ConfigLoader.load(f);
        Path dir = Files.createDirectories(tmp.resolve("run-" + executor));
        Manifest.write(RunSetup.bind(c, TestPlugins::device), dir);
        return new ObjectMapper().readTree(dir.resolve(Manifest.FILE).toFile());
    }

    @Test
    void aLocalRunRecordsTheLocalExecutor() throws Exception {
        JsonNode e = manifest("local").path("executor");
        assertEquals("local", e.path("name").asText());
        assertFalse(e.has("cluster"), e.toString());
    }

    @Test
    void aSlurmRunRecordsTheClusterNameOrUnknown() throws Exception {
        Path scontrol = script("scontrol", "[ \"$1 $2\" = \"show config\" ] || exit 3\n"
                + "echo 'Configuration data as of 2026-12-01T21:00:00'\n"
                + "echo 'AccountingStorageType   = (null)'\n"
                + "echo 'ClusterName             = hpc-west'\n"
                + "echo 'SlurmctldHost[0]        = ctl01'");
        assertEquals("hpc-west", Manifest.slurmCluster(List.of(scontrol.toString(), "show", "config")));
        // a failing scontrol, one without a cluster name, and none at all: unknown
        assertEquals("unknown", Manifest.slurmCluster(List.of(scontrol.toString(), "show", "nodes")));
        Path noName = script("scontrol-noname", "echo 'SlurmctldHost[0] = ctl01'");
        assertEquals("unknown", Manifest.slurmCluster(List.of(noName.toString(), "show", "config")));
        assertEquals("unknown", Manifest.slurmCluster(List.of(tmp.resolve("missing/scontrol").toString())));
        // the manifest of a slurm run, on this machine: the cluster from the real scontrol, or unknown without one
        JsonNode e = manifest("slurm").path("executor");
        assertEquals("slurm", e.path("name").asText());
        assertEquals(Manifest.slurmCluster(Manifest.SCONTROL_SHOW_CONFIG), e.path("cluster").asText());
        assertFalse(e.path("cluster").asText().isEmpty());
    }
}
