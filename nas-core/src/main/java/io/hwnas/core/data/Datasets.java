package io.hwnas.core.data;

import io.hwnas.core.ir.Shape;
import java.nio.file.Path;
import java.util.List;

/** Loads the datasets hwnas knows by name. */
public final class Datasets {

    /** The dataset names accepted by {@link #load}. */
    public static final List<String> NAMES = List.of("fashion-mnist", "cifar10", "synthetic");

    private Datasets() {
    }

    /** The number of classes of a named dataset (all three have 10), without loading it. */
    public static int classes(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("dataset '" + name + "' is not known; expected one of " + NAMES);
        }
        return 10;
    }

    /**
     * The named dataset from {@code dir} ({@code null}: the default directory; ignored for
     * {@code synthetic}, which has 6,000 training and 1,000 test images of 3x32x32 from {@code seed}).
     */
    public static DataSplits load(String name, Path dir, long seed) {
        switch (name) {
            case "fashion-mnist":
                return FashionMnist.load(dir == null ? FashionMnist.DEFAULT_DIR : dir);
            case "cifar10":
                if (dir == null) {
                    throw new IllegalArgumentException("dataset cifar10 needs a directory with its binary batches "
                            + "(data_batch_1.bin .. data_batch_5.bin, test_batch.bin)");
                }
                return Cifar10.load(dir);
            case "synthetic":
                return SyntheticImages.splits(6000, 1000, new Shape(3, 32, 32), 10, seed);
            default:
                throw new IllegalArgumentException("dataset '" + name + "' is not known; expected one of " + NAMES);
        }
    }
}
