package io.hwnas.experiments.exec.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlurmOptionsTest {

    @TempDir
    Path tmp;

    @Test
    void optionsBecomeSbatchArguments() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("partition", "gpu");
        o.put("account", "proj42");
        o.put("qos", "normal");
        o.put("time_limit", "1:30:00");
        o.put("cpus_per_task", 4);
        o.put("mem", "16G");
        o.put("gres", "gpu:1");
        o.put("extra_sbatch_args", List.of("--constraint=a100", "--exclusive"));
        o.put("launcher", List.of("/shared/my hwnas/hwnas"));
        o.put("tasks_per_array", 64);
        o.put("max_retries", 3);
        o.put("poll_interval_ms", 500);
        SlurmOptions s = SlurmOptions.parse(o, "exp.yaml", null);
        assertEquals(List.of("--partition=gpu", "--account=proj42", "--qos=normal", "--time=1:30:00",
                "--cpus-per-task=4", "--mem=16G", "--gres=gpu:1", "--constraint=a100", "--exclusive"), s.sbatchArgs());
        assertEquals("'/shared/my hwnas/hwnas'", s.launcher());
        assertEquals(64, s.tasksPerArray());
        assertEquals(3, s.maxRetries());
        assertEquals(500, s.pollIntervalMs());
    }

    @Test
    void defaultsNeedOnlyALauncher() {
        SlurmOptions s = SlurmOptions.parse(Map.of(), "exp.yaml", "HWNAS_NO_BUILD=1 /opt/hwnas/hwnas");
        assertEquals(List.of("--cpus-per-task=1"), s.sbatchArgs());
        assertEquals("HWNAS_NO_BUILD=1 /opt/hwnas/hwnas", s.launcher());
        assertEquals(2, s.maxRetries());
        assertEquals(SlurmOptions.MAX_TASKS_PER_ARRAY, s.tasksPerArray());
        ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.parse(Map.of(), "exp.yaml", null));
        assertTrue(e.getMessage().contains("exp.yaml: executor.options.launcher is missing"), e.getMessage());
    }

    @Test
    void everyBadOptionIsReportedAtOnce() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("partiton", "gpu");
        o.put("time_limit", "two hours");
        o.put("mem", "lots");
        o.put("cpus_per_task", 0);
        o.put("tasks_per_array", 5000);
        o.put("extra_sbatch_args", List.of("--array=0-3", "exclusive"));
        o.put("launcher", "/opt/hwnas/hwnas");
        ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.parse(o, "exp.yaml", null));
        String m = e.getMessage();
        assertTrue(m.contains("exp.yaml: executor.options.partiton is not a known field; expected one of [account, "
                + "cpus_per_task, extra_sbatch_args, gres, launcher, max_retries, mem, partition,"), m);
        assertTrue(m.contains("executor.options.time_limit = \"two hours\" is not allowed; expected minutes or"), m);
        assertTrue(m.contains("executor.options.mem = \"lots\""), m);
        assertTrue(m.contains("executor.options.cpus_per_task = 0 is not allowed; expected an integer from 1 to"), m);
        assertTrue(m.contains("executor.options.tasks_per_array = 5000"), m);
        assertTrue(m.contains("extra_sbatch_args[0] = \"--array=0-3\""), m);
        assertTrue(m.contains("extra_sbatch_args[1] = \"exclusive\""), m);
        assertEquals(7, e.problems().size(), m);
    }

    @Test
    void poolOptionsAreCheckedAndExclusiveWithTasksPerArray() {
        SlurmOptions o = SlurmOptions.parse(Map.of("launcher", "/x/hwnas", "pool", 4), "exp.yaml", null);
        assertEquals(4, o.pool());
        assertEquals(120, o.poolIdleS());
        assertEquals(0, SlurmOptions.parse(Map.of("launcher", "/x/hwnas"), "exp.yaml", null).pool());
        assertEquals(30, SlurmOptions.parse(Map.of("launcher", "/x/hwnas", "pool", 1, "pool_idle_timeout_s", 30),
                "exp.yaml", null).poolIdleS());
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("launcher", "/x/hwnas");
        bad.put("pool", 1001);
        bad.put("pool_idle_timeout_s", "long");
        String m = assertThrows(ConfigException.class, () -> SlurmOptions.parse(bad, "exp.yaml", null)).getMessage();
        assertTrue(m.contains("exp.yaml: executor.options.pool = 1001 is not allowed; expected an integer from 0 to "
                + "1000"), m);
        assertTrue(m.contains("executor.options.pool_idle_timeout_s = \"long\" is not allowed; expected an integer "
                + "from 5 to 604800"), m);
        m = assertThrows(ConfigException.class, () -> SlurmOptions.parse(Map.of("launcher", "/x/hwnas", "pool", 2,
                "tasks_per_array", 4), "exp.yaml", null)).getMessage();
        assertTrue(m.contains("executor.options.tasks_per_array = 4 is not allowed; expected only without a worker "
                + "pool"), m);
        m = assertThrows(ConfigException.class, () -> SlurmOptions.parse(Map.of("launcher", "/x/hwnas",
                "pool_idle_timeout_s", 60), "exp.yaml", null)).getMessage();
        assertTrue(m.contains("executor.options.pool_idle_timeout_s = 60 is not allowed; expected only with a worker "
                + "pool (pool: 1 or more)"), m);
    }

    @Test
    void aBadOptionInAConfigFailsWhenTheConfigIsLoaded() throws Exception {
        Path f = tmp.resolve("exp.yaml");
        Files.writeString(f, SlurmTestSupport.config("executor: {name: slurm, options: {tasks_per_array: many, "
                + "launcher: /x/hwnas}}", 6, 6, 0));
        // a ConfigException is an IllegalArgumentException: the command line maps it to exit code 2
        IllegalArgumentException e = assertThrows(io.hwnas.experiments.config.ConfigException.class,
                () -> io.hwnas.experiments.setup.RunSetup.load(f, io.hwnas.experiments.run.TestPlugins::device));
        assertEquals(f + ": executor.options.tasks_per_array = \"many\" is not allowed; expected an integer from 1 to "
                + "1000", e.getMessage());
    }

    @Test
    void arrayIndexListsRoundTrip() {
        assertEquals(List.of(0, 1, 2, 3, 5, 7, 8), ArraySpec.parse("0-3,5,7-8%2"));
        assertEquals(List.of(1, 3, 5), ArraySpec.parse("1-5:2"));
        assertEquals("0-3,5,7-8", ArraySpec.format(List.of(8, 7, 5, 3, 2, 1, 0)));
        assertEquals("4", ArraySpec.format(List.of(4)));
        assertThrows(IllegalArgumentException.class, () -> ArraySpec.parse("0-"));
    }

    @Test
    void resultsAndJobsSurviveATornJobLine() throws Exception {
        BatchDir d = new BatchDir(tmp, 3);
        d.create();
        Architecture a = new Architecture("nb201", List.of(0, 1, 2, 3, 4, 0), "|a~0|+|b~0|c~1|");
        d.writeTasks(List.of(List.of(a)));
        assertEquals(List.of(List.of(a)), d.tasks());
        Evaluation e = Evaluation.ok(a, Map.of("accuracy", 91.25, "latency_ms@x", 0.1 + 0.2));
        d.writeResult(e, 1.5, 0);
        assertEquals(e, d.result(a).orElseThrow().evaluation());
        assertEquals(1.5, d.result(a).orElseThrow().seconds());
        d.recordJob(new BatchDir.Job("17", List.of(0, 1, 2)));
        Files.writeString(d.dir().resolve("jobs.txt"), "18 0-", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of(new BatchDir.Job("17", List.of(0, 1, 2))), d.jobs());
        d.recordJob(new BatchDir.Job("19", List.of(1)));
        assertEquals(List.of(new BatchDir.Job("17", List.of(0, 1, 2)), new BatchDir.Job("19", List.of(1))), d.jobs());
        try (var files = Files.list(d.results())) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }
}
