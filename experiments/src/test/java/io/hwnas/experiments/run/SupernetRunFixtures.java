package io.hwnas.experiments.run;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.core.supernet.SupernetCheckpoint;
import io.hwnas.core.supernet.SupernetRun;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.core.supernet.SupernetTraining;
import io.hwnas.core.supernet.SupernetTrainingOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny supernet checkpoint for the run tests (the mobilenet space at 32 x 32 and width 0.25 only, so every
 * architecture of the space is a subnet; two sandwich steps on the seeded synthetic dataset), and a search
 * config that reads it.
 */
public final class SupernetRunFixtures {

    /** The checkpoint's seed (the synthetic images and their split derive from it). */
    public static final long SEED = 5;
    /** Held-out validation images of the checkpoint's split. */
    public static final int VALIDATION = 200;
    /** The space's options, in the config's YAML flow syntax. */
    public static final String SPACE_OPTIONS = "{resolutions: [32], widths: [0.25], search_channels: true}";

    /** Sandwich steps (the weights need not be good: the tests compare them, not their accuracy). */
    public static final int STEPS = 2;

    private SupernetRunFixtures() {
    }

    /** The space every architecture of which the checkpoint serves. */
    public static MobilenetSpace space() {
        return (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32), "widths",
                List.of(0.25), "search_channels", true));
    }

    /** Trains the tiny supernet (two steps of batch 16, one thread) into {@code dir}. */
    public static SupernetCheckpoint checkpoint(Path dir) {
        SupernetSpec spec = SupernetSpec.of(space(), 3, 10);
        ImageDataset.Split data = SupernetRun.Dataset.split("synthetic", null, VALIDATION, SEED);
        SupernetRun run = new SupernetRun(spec, SupernetRun.Dataset.of("synthetic", null, data), SEED,
                SupernetTrainingOptions.builder().steps(STEPS).batch(16).learningRate(0.01).warmupSteps(1)
                        .checkpointEvery(STEPS).validation(0, 16).threads(1).build());
        return SupernetTraining.train(run, data, dir, null);
    }

    /** A search config on the checkpoint: 4 random evaluations, one device, and the given final training. */
    public static String config(Path checkpoint, String finalTraining) {
        return "name: sn\n"
                + "seed: 3\n"
                + "space: {name: mobilenet, options: " + SPACE_OPTIONS + ", input: 3x32x32, classes: 10}\n"
                + "dataset: {name: synthetic}\n"
                + "accuracy: {name: test-checkpoint, options: {checkpoint: '" + checkpoint + "', bn_batches: 2}}\n"
                + "devices:\n"
                + "  - {name: fast, profile: fast}\n"
                + "objectives: [latency_ms]\n"
                + "strategy: {name: random, batch_size: 4}\n"
                + "budget: 2\n"
                + "executor: {name: local, parallelism: 1}\n"
                + "output: out/sn\n"
                + (finalTraining == null ? "" : "final_training: " + finalTraining + "\n");
    }

    /**
     * An accuracy estimator that reads a supernet checkpoint as {@code supernet} and {@code predictor} do (options
     * {@code checkpoint}, {@code bn_batches}) but scores by MACs, so that the final training can be tested apart
     * from those estimators.
     */
    public static final class CheckpointAccuracy implements AccuracyEstimator {
        private final Map<String, Object> options;

        public CheckpointAccuracy() {
            this(Map.of());
        }

        private CheckpointAccuracy(Map<String, Object> options) {
            this.options = options;
        }

        @Override
        public String name() {
            return "test-checkpoint";
        }

        @Override
        public AccuracyEstimator withOptions(Map<String, ?> given) {
            if (!List.of("checkpoint", "bn_batches").containsAll(given.keySet())) {
                throw new IllegalArgumentException("test-checkpoint: allowed options are [checkpoint, bn_batches]");
            }
            return new CheckpointAccuracy(new LinkedHashMap<>(given));
        }

        @Override
        public Map<String, Object> options() {
            return options;
        }

        @Override
        public boolean isAccuracy() {
            return true;
        }

        @Override
        public Estimate estimate(SearchSpace space, Architecture a, long seed) {
            double macs = space.network(a).macs();
            return new Estimate(10 + 80 * (1 - Math.exp(-macs / 2e6)), "test", Map.of("macs", macs));
        }
    }
}
