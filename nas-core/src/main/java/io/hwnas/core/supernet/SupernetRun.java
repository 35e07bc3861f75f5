package io.hwnas.core.supernet;

import io.hwnas.core.data.ImageDataset;
import java.util.Objects;

/**
 * What a supernet training is, as its checkpoint records it: the supernet's elastic range, the dataset, the seed
 * every random choice derives from, and the training options.
 *
 * @param spec    the supernet
 * @param dataset the dataset's name, directory and sizes
 * @param seed    the seed of the initialisation, of each step's batch order and of each step's subnets
 * @param options the training options
 */
public record SupernetRun(SupernetSpec spec, Dataset dataset, long seed, SupernetTrainingOptions options) {

    public SupernetRun {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(options, "options");
    }

    /** A copy with other options (say, more steps for a longer run). */
    public SupernetRun withOptions(SupernetTrainingOptions newOptions) {
        return new SupernetRun(spec, dataset, seed, newOptions);
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
