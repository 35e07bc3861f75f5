package io.hwnas.experiments.export;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader of the Fashion-MNIST IDX files (gzipped), for calibration and export checks:
 * images as 1 x 28 x 28 floats normalised with the training set's mean and standard deviation.
 *
 * @param images {@code count * 784} normalised pixels
 * @param labels {@code count} class indices 0..9
 */
public record FashionMnist(float[] images, int[] labels) {

    /** Where Debian-style installs put the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final float MEAN = 0.2860f;
    public static final float STD = 0.3530f;
    public static final int PIXELS = 28 * 28;

    /** The number of samples. */
    public int count() {
        return labels.length;
    }

    /**
     * Reads the first {@code limit} samples of the training or test split from {@code dir}.
     *
     * @throws IllegalArgumentException naming the file when it is missing or not an IDX file
     */
    public static FashionMnist read(Path dir, boolean train, int limit) {
        String prefix = train ? "train" : "t10k";
        Path imageFile = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labelFile = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        byte[] pixels = readIdx(imageFile, 0x803, limit, PIXELS);
        byte[] labelBytes = readIdx(labelFile, 0x801, limit, 1);
        int n = Math.min(pixels.length / PIXELS, labelBytes.length);
        float[] images = new float[n * PIXELS];
        for (int i = 0; i < images.length; i++) {
            images[i] = ((pixels[i] & 0xff) / 255f - MEAN) / STD;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = labelBytes[i] & 0xff;
        }
        return new FashionMnist(images, labels);
    }

    private static byte[] readIdx(Path file, int magic, int limit, int itemBytes) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Fashion-MNIST file " + file + " does not exist (expected the gzipped"
                    + " IDX files train-/t10k-images-idx3-ubyte.gz and -labels-idx1-ubyte.gz in " + file.getParent()
                    + ")");
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            int m = in.readInt();
            if (m != magic) {
                throw new IllegalArgumentException("file " + file + " has IDX magic 0x" + Integer.toHexString(m)
                        + ", expected 0x" + Integer.toHexString(magic));
            }
            int count = in.readInt();
            for (int d = 1; d < (magic & 0xff); d++) {
                in.readInt();
            }
            int n = Math.min(count, limit);
            byte[] data = new byte[n * itemBytes];
            in.readFully(data);
            return data;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read Fashion-MNIST file " + file + ": " + e.getMessage(), e);
        }
    }
}
