package io.hwnas.core.data;

import io.hwnas.core.ir.Shape;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fashion-MNIST from its four IDX files (gzipped or not), as the Debian package installs them. */
public final class FashionMnist {

    /** Where the Debian package {@code dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private static final Shape SHAPE = new Shape(1, 28, 28);

    private FashionMnist() {
    }

    /**
     * The training (60,000) and test (10,000) images of {@code dir}.
     *
     * @throws IllegalArgumentException naming the file that is missing or corrupt and what was expected
     */
    public static DataSplits load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such directory; expected the Fashion-MNIST IDX files "
                    + "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
                    + "t10k-labels-idx1-ubyte.gz (install the Debian package dataset-fashion-mnist)");
        }
        return new DataSplits(read(dir, "train"), read(dir, "t10k"));
    }

    private static ImageDataset read(Path dir, String part) {
        Path images = file(dir, part + "-images-idx3-ubyte");
        Path labels = file(dir, part + "-labels-idx1-ubyte");
        Idx.Content im = Idx.read(images, 3, "an IDX image file of unsigned bytes, N x 28 x 28");
        if (im.dims()[1] != 28 || im.dims()[2] != 28) {
            throw Idx.corrupt(images, "images of " + im.dims()[1] + "x" + im.dims()[2], "28x28 images");
        }
        Idx.Content lb = Idx.read(labels, 1, "an IDX label file of unsigned bytes");
        if (lb.dims()[0] != im.dims()[0]) {
            throw Idx.corrupt(labels, lb.dims()[0] + " labels", im.dims()[0] + " labels, one per image in " + images);
        }
        int[] l = new int[lb.data().length];
        for (int i = 0; i < l.length; i++) {
            l[i] = lb.data()[i] & 0xff;
            if (l[i] > 9) {
                throw Idx.corrupt(labels, "label " + l[i] + " at position " + i, "labels in 0..9");
            }
        }
        return new ImageDataset("fashion-mnist:" + part, im.data(), l, SHAPE, 10);
    }

    private static Path file(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        return Files.exists(gz) || !Files.exists(dir.resolve(base)) ? gz : dir.resolve(base);
    }
}
