package io.hwnas.core.data;

import io.hwnas.core.ir.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * CIFAR-10 in its binary format: {@code data_batch_1.bin} .. {@code data_batch_5.bin} and
 * {@code test_batch.bin}, records of one label byte and 3x32x32 pixel bytes.
 */
public final class Cifar10 {

    private static final Shape SHAPE = new Shape(3, 32, 32);
    private static final int RECORD = 1 + 3 * 32 * 32;

    private Cifar10() {
    }

    /**
     * The training and test images of {@code dir} (or of its {@code cifar-10-batches-bin} folder).
     *
     * @throws IllegalArgumentException naming the file that is missing or corrupt and what was expected
     */
    public static DataSplits load(Path dir) {
        Path d = Files.isDirectory(dir.resolve("cifar-10-batches-bin")) ? dir.resolve("cifar-10-batches-bin") : dir;
        Path[] train = new Path[5];
        for (int i = 0; i < 5; i++) {
            train[i] = d.resolve("data_batch_" + (i + 1) + ".bin");
        }
        return new DataSplits(read("cifar10:train", train), read("cifar10:test", d.resolve("test_batch.bin")));
    }

    private static ImageDataset read(String name, Path... files) {
        byte[][] contents = new byte[files.length][];
        long total = 0;
        for (int f = 0; f < files.length; f++) {
            try {
                contents[f] = Files.readAllBytes(files[f]);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(files[f] + ": no such file; expected a CIFAR-10 binary batch "
                        + "(records of 1 label byte + 3072 pixel bytes)");
            } catch (IOException e) {
                throw new IllegalArgumentException(files[f] + ": cannot read (" + e.getMessage() + ")");
            }
            if (contents[f].length == 0 || contents[f].length % RECORD != 0) {
                throw Idx.corrupt(files[f], contents[f].length + " bytes",
                        "a CIFAR-10 binary batch whose size is a positive multiple of " + RECORD + " bytes");
            }
            total += contents[f].length / RECORD;
        }
        byte[] pixels = new byte[(int) total * (RECORD - 1)];
        int[] labels = new int[(int) total];
        int n = 0;
        for (int f = 0; f < files.length; f++) {
            byte[] c = contents[f];
            for (int r = 0; r < c.length / RECORD; r++, n++) {
                labels[n] = c[r * RECORD] & 0xff;
                if (labels[n] > 9) {
                    throw Idx.corrupt(files[f], "label " + labels[n] + " in record " + r, "labels in 0..9");
                }
                System.arraycopy(c, r * RECORD + 1, pixels, n * (RECORD - 1), RECORD - 1);
            }
        }
        return new ImageDataset(name, pixels, labels, SHAPE, 10);
    }
}
