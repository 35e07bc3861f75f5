package io.hwnas.experiments.exec.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.run.TestPlugins;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker without Slurm: it scores its share exactly as the driver's evaluator would. */
class SlurmWorkerTest {

    @TempDir
    Path tmp;

    @Test
    void aWorkerWritesTheDriversEvaluationsForItsShareOnly() throws Exception {
        ExperimentConfig c = SlurmTestSupport.load(tmp, "exp.yaml",
                SlurmTestSupport.config("executor: {name: slurm, options: {launcher: /x/hwnas}}", 6, 6, 0));
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.yaml"), ConfigWriter.yaml(c));
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        SplittableRandom rng = new SplittableRandom(3);
        List<Architecture> archs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            archs.add(setup.space().sample(rng));
        }
        BatchDir dir = new BatchDir(run, 2);
        dir.create();
        dir.writeTasks(List.of(archs.subList(0, 3), archs.subList(3, 5)));

        StringWriter log = new StringWriter();
        assertEquals(0, SlurmWorker.run(run, 2, 0, TestPlugins::device, new PrintWriter(log, true)));
        for (int i = 0; i < 5; i++) {
            assertEquals(i < 3, dir.result(archs.get(i)).isPresent(), "result of candidate " + i);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(setup.evaluator().evaluate(archs.get(i)), dir.result(archs.get(i)).orElseThrow().evaluation());
        }
        assertTrue(log.toString().contains("batch 2 task 0: 3 evaluated, 0 done before"), log.toString());

        // a second attempt of the task finds its work done
        StringWriter again = new StringWriter();
        assertEquals(0, SlurmWorker.run(run, 2, 0, TestPlugins::device, new PrintWriter(again, true)));
        assertTrue(again.toString().contains("0 evaluated, 3 done before"), again.toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SlurmWorker.run(run, 2, 2, TestPlugins::device, new PrintWriter(new StringWriter())));
        assertEquals("task 2 is not a task of batch 2; expected 0 to 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SlurmWorker.run(run, 5, 0, TestPlugins::device, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().startsWith("batch 5 has no task list"), e.getMessage());
    }
}
