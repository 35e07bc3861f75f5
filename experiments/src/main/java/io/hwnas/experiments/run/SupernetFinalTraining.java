package io.hwnas.experiments.run;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.ir.Network;
import io.hwnas.core.supernet.InheritedWeights;
import io.hwnas.core.supernet.SubnetEvaluation;
import io.hwnas.core.supernet.SupernetCheckpoint;
import io.hwnas.core.supernet.SupernetRun;
import io.hwnas.core.train.ParentWeights;
import io.hwnas.core.train.TrainOptions;
import io.hwnas.core.train.TrainResult;
import io.hwnas.core.train.Training;
import io.hwnas.experiments.export.InputNormalisation;
import io.hwnas.experiments.setup.FinalTrainingSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The final training of {@code final_training: {from: supernet, steps: N}}: each member starts from its weights
 * in the supernet checkpoint ({@link SubnetEvaluation#calibrated}: the weights it inherits, batch-norm statistics
 * recalibrated exactly on the evaluation's calibration images), then trains {@code N} steps on the checkpoint's
 * training split with the section's SGD options ({@link Training}, seeded by the member); with {@code N = 0} the
 * inherited weights are kept. Top-1 is counted on the whole validation split the supernet held out, in both
 * cases. With {@code members: k}, only each front's {@code k} most accurate members fine-tune ({@link
 * #limitedTo}); the others keep their inherited weights. Each member loads the checkpoint afresh in its own
 * manager, closed when it is done.
 */
final class SupernetFinalTraining implements FinalTraining.Trainer {

    private final SupernetCheckpoint checkpoint;
    private final TrainOptions options;
    private final int steps;
    private final int bnBatches;
    private final Function<Architecture, Network> runNetwork;
    private final int members;
    private final Set<String> fineTuned;
    private ImageDataset.Split split;

    /**
     * @param runNetwork the run's network of an architecture (what the model cards and the export build); the
     *                   member's subnet must be it
     */
    SupernetFinalTraining(SupernetCheckpoint checkpoint, TrainOptions options, int bnBatches,
            Function<Architecture, Network> runNetwork, int members) {
        this(checkpoint, options, bnBatches, runNetwork, members, null);
    }

    private SupernetFinalTraining(SupernetCheckpoint checkpoint, TrainOptions options, int bnBatches,
            Function<Architecture, Network> runNetwork, int members, Set<String> fineTuned) {
        this.checkpoint = checkpoint;
        this.options = options;
        this.steps = options.steps();
        this.bnBatches = bnBatches;
        this.runNetwork = runNetwork;
        this.members = members;
        this.fineTuned = fineTuned;
    }

    /** The trainer of a run whose config says {@code from: supernet}. */
    static SupernetFinalTraining of(io.hwnas.experiments.setup.RunSetup setup, TrainOptions options) {
        FinalTrainingSource source = FinalTrainingSource.of(setup.config());
        return new SupernetFinalTraining(SupernetCheckpoint.read(source.checkpoint()), options, source.bnBatches(),
                a -> setup.evaluator().network(a), source.members());
    }

    /** {@code final_training.members}: how many of each front's most accurate members fine-tune, 0 for all. */
    int members() {
        return members;
    }

    /** This training, fine-tuning only the architectures of {@code canonical} (the others keep their weights). */
    SupernetFinalTraining limitedTo(Set<String> canonical) {
        return new SupernetFinalTraining(checkpoint, options, bnBatches, runNetwork, members,
                Set.copyOf(canonical));
    }

    /** The fine-tuning steps of an architecture: the section's, or 0 when {@code members} leaves it out. */
    int steps(Architecture a) {
        return fineTuned == null || fineTuned.contains(a.canonical()) ? steps : 0;
    }

    /** The checkpoint's training and validation split (loaded once). */
    private synchronized ImageDataset.Split split() {
        if (split == null) {
            SupernetRun run = checkpoint.run();
            split = run.dataset().load(run.seed());
        }
        return split;
    }

    @Override
    public TrainResult train(Architecture a, long seed, Path weights) {
        ImageDataset.Split data = split();
        Network network = checkpoint.spec().network(a);
        if (!network.equals(runNetwork.apply(a))) {
            throw new IllegalStateException("member " + a + ": its subnet in " + checkpoint.dir() + " takes "
                    + network.inputShape() + ", but the run's network " + runNetwork.apply(a).inputShape());
        }
        SupernetRun run = checkpoint.run();
        InputNormalisation.of(run.dataset().name(), run.dataset().dir(), run.seed(), data.train(),
                network.inputShape()).write(InputNormalisation.beside(weights));
        // PyTorch's CPU results depend on the thread count: the section's threads hold for the whole member
        return DjlRuntime.withThreads(options.threads(),
                () -> steps(a) > 0 ? fineTune(a, network, data, seed, weights) : inherit(a, data, weights));
    }

    /** Saves the calibrated subnet and measures it. */
    private TrainResult inherit(Architecture a, ImageDataset.Split data, Path weights) {
        long start = System.nanoTime();
        SubnetEvaluation.Result r = InheritedWeights.save(checkpoint, data, bnBatches, a, weights, true);
        return new TrainResult(r.top1(), r.loss(), List.of(), 0, 0, (System.nanoTime() - start) / 1e9, 0);
    }

    /** Saves the calibrated subnet beside {@code weights}, trains from it into {@code weights}, removes it. */
    private TrainResult fineTune(Architecture a, Network network, ImageDataset.Split data, long seed, Path weights) {
        Path inherited = weights.resolveSibling(weights.getFileName() + ".inherited");
        InheritedWeights.save(checkpoint, data, bnBatches, a, inherited, false);
        try {
            return Training.train(network, data, options, seed, weights, new ParentWeights(network, inherited));
        } finally {
            try {
                Files.deleteIfExists(inherited);
            } catch (IOException e) {
                // a leftover file is overwritten by the next attempt
            }
        }
    }

    /** Where a member starts, in words, for the model cards. */
    String origin(Architecture a) {
        String tuning = steps(a) > 0 ? "then " + steps + " fine-tuning steps" : steps > 0 ? "no fine-tuning (not "
                + "among the " + members + " most accurate members of a front that final_training.members "
                + "fine-tunes)" : "no fine-tuning";
        return "the supernet checkpoint " + checkpoint.dir() + " (after " + checkpoint.stepsDone() + " steps): "
                + "inherited weights, batch-norm statistics recalibrated on " + bnBatches + " x 64 training images, "
                + tuning + "; top-1 on the "
                + "checkpoint's " + checkpoint.run().dataset().validationImages() + " held-out validation images";
    }
}
