package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.io.Json;
import io.hwnas.core.supernet.SupernetCheckpoint;
import io.hwnas.core.supernet.SupernetRun;
import io.hwnas.core.supernet.SupernetTraining;
import io.hwnas.experiments.config.SupernetConfig;
import io.hwnas.experiments.setup.SupernetSetup;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas supernet train}: trains the supernet a config's {@code supernet} section describes (sandwich rule,
 * in-place distillation), checkpointing atomically; {@code --resume DIR} goes on from a checkpoint's last step.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a weight-sharing supernet (sandwich rule with in-place distillation), checkpointing "
                + "atomically; --resume goes on from the last checkpoint.")
final class SupernetTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the config: seed, space, dataset, supernet")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "the checkpoint directory (default: the config's "
            + "supernet.checkpoint)")
    Path out;

    @Option(names = "--steps", description = "train this many steps in all instead of the config's")
    Integer steps;

    @Option(names = "--resume", paramLabel = "DIR", description = "go on from the checkpoint in DIR")
    Path resume;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Option(names = "--quiet", description = "no progress on stderr")
    boolean quiet;

    @Override
    public Integer call() {
        if (config == null && resume == null) {
            throw new UsageException("give --config FILE to start a training, or --resume DIR to go on with one");
        }
        if (steps != null && steps < 1) {
            throw new UsageException("--steps must be >= 1, not " + steps);
        }
        if (resume != null && (out != null || steps != null)) {
            throw new UsageException("--resume goes on with the checkpoint's own directory and step budget; drop "
                    + (out != null ? "--out" : "--steps"));
        }
        PrintWriter err = spec.commandLine().getErr();
        SupernetProgress progress = new SupernetProgress(err, quiet);
        Last last = new Last();
        long start = System.nanoTime();
        SupernetCheckpoint done = resume != null ? resume(progress, last) : start(progress, last);
        print(done, last, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private SupernetCheckpoint start(SupernetProgress progress, Last last) {
        SupernetConfig c = SupernetConfig.load(config);
        SupernetSetup setup = SupernetSetup.bind(c, steps);
        Path dir = out != null ? out : c.checkpoint();
        if (Files.exists(dir.resolve(SupernetCheckpoint.MANIFEST))) {
            SupernetCheckpoint there = SupernetCheckpoint.read(dir);
            throw new UsageException(dir + " already holds a supernet checkpoint (step " + there.stepsDone() + " of "
                    + there.run().options().steps() + "); go on with it with --resume " + dir
                    + ", or choose another --out");
        }
        describe(setup.run(), setup.data(), dir, 0);
        return SupernetTraining.train(setup.run(), setup.data(), dir, step -> {
            last.record(step);
            progress.onStep(step);
        });
    }

    private SupernetCheckpoint resume(SupernetProgress progress, Last last) {
        SupernetCheckpoint from = SupernetCheckpoint.read(resume);
        SupernetRun run = from.run();
        if (config != null) {
            List<String> differ = differences(SupernetSetup.bind(SupernetConfig.load(config), null).run(), run);
            if (!differ.isEmpty()) {
                throw new UsageException(config + " does not describe the training checkpointed in " + resume
                        + ": " + String.join("; ", differ));
            }
        }
        ImageDataset.Split data = run.dataset().load(run.seed());
        describe(run, data, resume, from.stepsDone());
        return SupernetTraining.resume(resume, data, step -> {
            last.record(step);
            progress.onStep(step);
        });
    }

    /** What differs between the run a config describes and a checkpoint's, field by field. */
    static List<String> differences(SupernetRun config, SupernetRun checkpoint) {
        List<String> out = new ArrayList<>(config.spec().differences(checkpoint.spec(), "in the config",
                "in the checkpoint"));
        if (!config.dataset().equals(checkpoint.dataset())) {
            out.add("the dataset is " + config.dataset() + " in the config but " + checkpoint.dataset()
                    + " in the checkpoint");
        }
        if (config.seed() != checkpoint.seed()) {
            out.add("the seed is " + config.seed() + " in the config but " + checkpoint.seed() + " in the checkpoint");
        }
        if (!java.util.Objects.equals(config.init(), checkpoint.init())) {
            out.add("the initial weights are " + describe(config.init()) + " in the config but "
                    + describe(checkpoint.init()) + " in the checkpoint");
        }
        if (!config.options().equals(checkpoint.options())) {
            out.add("the training options are " + config.options() + " in the config but " + checkpoint.options()
                    + " in the checkpoint");
        }
        return out;
    }

    private static String describe(io.hwnas.core.supernet.SupernetInit init) {
        return init == null ? "a fresh initialisation" : "those of " + init.dir() + " (step " + init.stepsDone()
                + ", parameters SHA-256 " + init.parametersSha256() + ")";
    }

    private void describe(SupernetRun run, ImageDataset.Split data, Path dir, int from) {
        if (quiet) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "supernet %s on %d %s images (%d held out; augmentation %s), %s%d steps of batch %d "
                + "into %s%n", run.spec().describe(), data.train().size(), run.dataset().name(),
                data.validation().size(), run.options().augment().describe(),
                from == 0 ? "" : "from step " + from + " to ", run.options().steps(), run.options().batch(), dir);
        if (run.init() != null) {
            err.printf(Locale.ROOT, "starting from the weights of %s (step %d)%n", run.init().dir(),
                    run.init().stepsDone());
        }
        err.flush();
    }

    private void print(SupernetCheckpoint done, Last last, double seconds) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("checkpoint", done.dir().toString());
            o.put("supernet", done.spec().describe());
            o.put("dataset", done.run().dataset().name());
            o.put("seed", done.run().seed());
            o.put("steps_done", done.stepsDone());
            o.put("steps", done.run().options().steps());
            o.put("top1_largest", last.top1Largest);
            o.put("top1_smallest", last.top1Smallest);
            o.put("validated_at_step", last.validatedAt);
            o.put("parameters_sha256", done.parameters().sha256());
            o.put("wall_s", seconds);
            Json.print(out, o);
        } else {
            out.printf(Locale.ROOT, "supernet checkpoint %s: step %d of %d%s, %.1f s%n", done.dir(),
                    done.stepsDone(), done.run().options().steps(), Double.isNaN(last.top1Largest) ? ""
                            : String.format(Locale.ROOT, ", validation top-1 largest %.2f%% smallest %.2f%% "
                                    + "(step %d)", last.top1Largest, last.top1Smallest, last.validatedAt), seconds);
            out.flush();
        }
    }

    /** The last validation figures seen. */
    private static final class Last {
        double top1Largest = Double.NaN;
        double top1Smallest = Double.NaN;
        int validatedAt;

        void record(SupernetTraining.Progress p) {
            if (p.validated()) {
                top1Largest = p.top1Largest();
                top1Smallest = p.top1Smallest();
                validatedAt = p.step();
            }
        }
    }
}
