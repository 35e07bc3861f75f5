package io.hwnas.core.supernet;

import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageDataset;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a supernet training is, as its checkpoint records it: the supernet's elastic range, the dataset, the seed
 * every random choice derives from, and the training options.
 *
 * @param spec    the supernet
 * @param dataset the dataset's name, directory and sizes
 * @param seed    the seed of the initialisation, of each step's batch order and of each step's subnets
 * @param options the training options
 * @param init    the checkpoint whose weights the training starts from, or {@code null} for a fresh initialisation
 */
public record SupernetRun(SupernetSpec spec, Dataset dataset, long seed, SupernetTrainingOptions options,
        SupernetInit init) {

    public SupernetRun {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(options, "options");
    }

    /** A training from a fresh initialisation. */
    public SupernetRun(SupernetSpec spec, Dataset dataset, long seed, SupernetTrainingOptions options) {
        this(spec, dataset, seed, options, null);
    }

    /** A copy with other options (say, more steps for a longer run). */
    public SupernetRun withOptions(SupernetTrainingOptions newOptions) {
        return new SupernetRun(spec, dataset, seed, newOptions, init);
    }

    /**
     * A copy that starts from the weights of the checkpoint in {@code dir} (see {@link SupernetInit}).
     *
     * @throws IllegalArgumentException if the checkpoint cannot be read or its weights do not fit this training
     */
    public SupernetRun startingFrom(Path dir) {
        return new SupernetRun(spec, dataset, seed, options, SupernetInit.of(dir, this));
    }

    /** Steps already behind the weights this training starts from: the offset of its batch order and subnets. */
    public int stepOffset() {
        return init == null ? 0 : init.stepsDone();
    }

    /**
     * The dataset a supernet is trained on.
     *
     * @param name             the name {@code io.hwnas.core.data.Datasets} loads it by
     * @param dir              its directory, or {@code null} for the default one
     * @param trainImages      images of the training part (the batch order depends on it)
     * @param validationImages images of the held-out part
     */
    public record Dataset(String name, String dir, int trainImages, int validationImages) {

        public Dataset {
            Objects.requireNonNull(name, "dataset name");
        }

        /** The dataset {@code name} from {@code dir} ({@code null}: the default), with the sizes of {@code split}. */
        public static Dataset of(String name, String dir, ImageDataset.Split split) {
            return new Dataset(name, dir, split.train().size(), split.validation().size());
        }

        /**
         * Loads the training part of the dataset {@code name} from {@code dir} ({@code null}: the default) and
         * splits off {@code validationImages} held-out images with {@code seed}: the split a supernet is trained
         * on, and the one {@link #load(long)} gives back later from the checkpoint's record.
         *
         * @throws IllegalArgumentException for an unknown dataset, or a split that leaves no training images
         */
        public static ImageDataset.Split split(String name, String dir, int validationImages, long seed) {
            DataSplits splits = Datasets.load(name, dir == null ? null : Path.of(dir), seed);
            int available = splits.train().size();
            if (validationImages < 1 || validationImages >= available) {
                throw new IllegalArgumentException("dataset " + name + ": " + validationImages + " validation images "
                        + "leave nothing to train on; allowed 1.." + (available - 1));
            }
            return splits.train().split(validationImages, seed);
        }

        /** The split this dataset record was made from, with the run's {@code seed}, sizes checked. */
        public ImageDataset.Split load(long seed) {
            ImageDataset.Split s = split(name, dir, validationImages, seed);
            check(s, "dataset " + name);
            return s;
        }

        /**
         * Checks that {@code split} has this dataset's sizes.
         *
         * @throws IllegalArgumentException naming what differs
         */
        public void check(ImageDataset.Split split, String where) {
            if (split.train().size() != trainImages || split.validation().size() != validationImages) {
                throw new IllegalArgumentException(where + ": trained on " + name + " with " + trainImages
                        + " training and " + validationImages + " validation images, but the data given has "
                        + split.train().size() + " and " + split.validation().size());
            }
        }
    }
}
