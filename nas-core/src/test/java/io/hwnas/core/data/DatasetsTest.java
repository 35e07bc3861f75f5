package io.hwnas.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.Shape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    static void writeIdx(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        try (OutputStream f = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            f.write(bytes.toByteArray());
        }
    }

    /** A tiny Fashion-MNIST folder: image i has every pixel = i, label i % 10. */
    static void writeFashion(Path dir, int train, int test) throws IOException {
        for (String part : new String[] {"train", "t10k"}) {
            int n = part.equals("train") ? train : test;
            byte[] px = new byte[n * 784];
            byte[] lb = new byte[n];
            for (int i = 0; i < n; i++) {
                java.util.Arrays.fill(px, i * 784, (i + 1) * 784, (byte) i);
                lb[i] = (byte) (i % 10);
            }
            writeIdx(dir.resolve(part + "-images-idx3-ubyte.gz"), new int[] {n, 28, 28}, px, true);
            writeIdx(dir.resolve(part + "-labels-idx1-ubyte.gz"), new int[] {n}, lb, true);
        }
    }

    @Test
    void readsFashionMnistIdxFiles(@TempDir Path dir) throws IOException {
        writeFashion(dir, 20, 5);
        DataSplits d = FashionMnist.load(dir);
        assertEquals(20, d.train().size());
        assertEquals(5, d.test().size());
        assertEquals(new Shape(1, 28, 28), d.train().shape());
        assertEquals(7, d.train().label(17));
        assertEquals(17, d.train().pixel(17, 400));
    }

    @Test
    void missingOrCorruptFilesNameThePathAndWhatWasExpected(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        writeFashion(dir, 4, 2);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz") && e.getMessage().contains("no such file"),
                e.getMessage());
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {0, 0, 8, 3, 0});
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        writeIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {3}, new byte[] {1, 2, 3}, true);
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("3 labels") && e.getMessage().contains("2 labels"), e.getMessage());
        // truncated data
        writeIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {2}, new byte[] {1}, true);
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("ends before"), e.getMessage());
    }

    @Test
    void readsCifar10BinaryBatchesAndRejectsBadSizes(@TempDir Path dir) throws IOException {
        for (String f : new String[] {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
            "test_batch"}) {
            byte[] b = new byte[2 * 3073];
            b[0] = 3;
            b[3073] = 9;
            b[1 + 1024] = (byte) 200; // green channel, first pixel of record 0
            Files.write(dir.resolve(f + ".bin"), b);
        }
        DataSplits d = Cifar10.load(dir);
        assertEquals(10, d.train().size());
        assertEquals(2, d.test().size());
        assertEquals(3, d.train().label(0));
        assertEquals(9, d.train().label(1));
        assertEquals(200, d.train().pixel(0, 1024));
        Files.write(dir.resolve("test_batch.bin"), new byte[100]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cifar10.load(dir));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("3073"), e.getMessage());
        Files.delete(dir.resolve("data_batch_3.bin"));
        e = assertThrows(IllegalArgumentException.class, () -> Cifar10.load(dir));
        assertTrue(e.getMessage().contains("data_batch_3.bin"), e.getMessage());
    }

    @Test
    void splitsAndSamplesAreDeterministicAndDisjoint() {
        ImageDataset d = SyntheticImages.generate("s", 100, new Shape(1, 4, 4), 10, 3);
        ImageDataset.Split a = d.split(20, 5);
        ImageDataset.Split b = d.split(20, 5);
        assertEquals(80, a.train().size());
        assertEquals(20, a.validation().size());
        for (int i = 0; i < 20; i++) {
            assertEquals(a.validation().label(i), b.validation().label(i));
        }
        assertArrayEquals(ImageDataset.permutation(50, 9), ImageDataset.permutation(50, 9));
        assertEquals(10, d.sample(10, 1).size());
        assertThrows(IllegalArgumentException.class, () -> d.split(100, 1));
    }

    @Test
    void batcherPadsNormalisesAndReplicatesChannels() {
        byte[] px = new byte[28 * 28];
        java.util.Arrays.fill(px, (byte) 255);
        ImageDataset d = new ImageDataset("one", px, new int[] {0}, new Shape(1, 28, 28), 10);
        ImageBatcher b = new ImageBatcher(d.shape(), new Shape(3, 32, 32), new double[] {0.5}, new double[] {0.25});
        float[] x = b.fill(d, new int[] {0}, 0, 1);
        assertEquals(3 * 32 * 32, x.length);
        assertEquals(-2f, x[0], 1e-6); // padding is a black pixel: (0 - 0.5) / 0.25
        assertEquals(2f, x[2 * 32 + 2], 1e-6); // first image pixel: (1 - 0.5) / 0.25
        assertEquals(x[2 * 32 + 2], x[2 * 1024 + 2 * 32 + 2]); // replicated into the third channel
        ImageBatcher r = new ImageBatcher(d.shape(), new Shape(1, 16, 16), new double[] {0.5}, new double[] {0.25});
        float[] y = r.fill(d, new int[] {0}, 0, 1);
        assertEquals(256, y.length);
        assertEquals(2f, y[100], 1e-5); // resized, constant image stays constant
        assertThrows(IllegalArgumentException.class, () -> new ImageBatcher(new Shape(3, 32, 32), new Shape(2, 32, 32),
                new double[3], new double[3]));
    }

    @Test
    void realFashionMnistFromTheDebianPackage() {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed at " + FashionMnist.DEFAULT_DIR + " (apt-get install dataset-fashion-mnist)");
        DataSplits d = Datasets.load("fashion-mnist", null, 0);
        assertEquals(60000, d.train().size());
        assertEquals(10000, d.test().size());
        int[] counts = new int[10];
        for (int i = 0; i < d.test().size(); i++) {
            counts[d.test().label(i)]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, counts);
        double[][] s = d.train().sample(5000, 0).channelStats();
        assertEquals(0.286, s[0][0], 0.01); // the published Fashion-MNIST mean
        assertEquals(0.353, s[1][0], 0.01);
    }
}
