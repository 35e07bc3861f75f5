package io.hwnas.experiments.exec.slurm;

import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.run.Runner;
import io.hwnas.experiments.run.TestPlugins;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A search driver in its own JVM, so that a test can kill it with SIGKILL: {@code TestDriverMain
 * CONFIG RUN_DIR [--resume]} runs (or resumes) the search of the config into the run directory.
 */
public final class TestDriverMain {

    private TestDriverMain() {
    }

    public static void main(String[] args) {
        ExperimentConfig c = ConfigLoader.load(Path.of(args[0]));
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        Progress p = new Progress(new PrintStream(System.err, true, StandardCharsets.UTF_8), true, c.budget(),
                DeviceObjectives.of(c));
        Runner.Result r = new Runner(setup, Path.of(args[1]), p).run(args.length > 2 && args[2].equals("--resume"));
        System.out.println("evaluations " + r.evaluations() + " from journal " + r.fromJournal());
        System.exit(0);
    }
}
