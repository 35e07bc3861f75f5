package io.hwnas.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.Shape;
import io.hwnas.core.train.TrainEstimator;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Flips and shifts of training images, checked pixel by pixel against the unaugmented batch. */
class AugmentationTest {

    /** 4 gray 6x6 images of distinct pixel values 1..144, as Fashion-MNIST's 28x28 are in shape. */
    private static ImageDataset images() {
        byte[] px = new byte[4 * 36];
        for (int k = 0; k < px.length; k++) {
            px[k] = (byte) (k + 1);
        }
        return new ImageDataset("t", px, new int[] {0, 1, 0, 1}, new Shape(1, 6, 6), 2);
    }

    private static final int[] ALL = {0, 1, 2, 3};

    @Test
    void aFlipMirrorsAndAShiftMovesWithABlackBorder() {
        ImageDataset d = images();
        // padded 6x6 -> 10x10 (as 28 -> 32), gray replicated to 3 channels
        ImageBatcher b = ImageBatcher.fitted(d, new Shape(3, 10, 10));
        float[] plain = b.fill(d, ALL, 0, 4);
        float black = b.fill(new ImageDataset("z", new byte[36], new int[] {0}, new Shape(1, 6, 6), 2), new int[] {0},
                0, 1)[0];
        Augmentation aug = new Augmentation(true, 2);
        SplittableRandom r = new SplittableRandom(5);
        Augmentation.Draw[] draws = new Augmentation.Draw[4];
        SplittableRandom copy = r.split();
        SplittableRandom again = new SplittableRandom(5).split();
        for (int i = 0; i < 4; i++) {
            draws[i] = aug.draw(again);
        }
        float[] out = b.fill(d, ALL, 0, 4, aug, copy);
        boolean flipped = false;
        boolean shifted = false;
        for (int i = 0; i < 4; i++) {
            Augmentation.Draw a = draws[i];
            flipped |= a.flip();
            shifted |= a.dx() != 0 || a.dy() != 0;
            assertTrue(Math.abs(a.dx()) <= 2 && Math.abs(a.dy()) <= 2, a.toString());
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 10; y++) {
                    for (int x = 0; x < 10; x++) {
                        // the augmented image at (y, x) of the 6x6 area (offset 2) is the source at (y - dy, x - dx)
                        int sy = y - 2 - a.dy();
                        int sx = x - 2 - a.dx();
                        boolean inside = y >= 2 && y < 8 && x >= 2 && x < 8 && sy >= 0 && sy < 6 && sx >= 0 && sx < 6;
                        float want = inside ? plain[i * 300 + c * 100 + (sy + 2) * 10 + (a.flip() ? 5 - sx : sx) + 2]
                                : black;
                        assertEquals(want, out[i * 300 + c * 100 + y * 10 + x], "image " + i + " " + a + " at " + y
                                + "," + x);
                    }
                }
            }
        }
        assertTrue(flipped && shifted, java.util.Arrays.toString(draws));
    }

    @Test
    void noAugmentationAndTheIdentityDrawChangeNothing() {
        ImageDataset d = images();
        for (Shape target : new Shape[] {new Shape(1, 6, 6), new Shape(3, 10, 10), new Shape(1, 9, 9)}) {
            ImageBatcher b = ImageBatcher.fitted(d, target);
            assertArrayEquals(b.fill(d, ALL, 0, 4), b.fill(d, ALL, 0, 4, Augmentation.NONE, null));
            assertArrayEquals(b.fill(d, ALL, 0, 4), b.fill(d, ALL, 0, 4, new Augmentation(false, 0),
                    new SplittableRandom(1)));
        }
    }

    @Test
    void aStepsDrawsDependOnTheSeedAndTheStepOnly() {
        Augmentation aug = new Augmentation(true, 3);
        java.util.List<Augmentation.Draw> a = new java.util.ArrayList<>();
        java.util.List<Augmentation.Draw> b = new java.util.ArrayList<>();
        java.util.List<Augmentation.Draw> c = new java.util.ArrayList<>();
        var ga = Augmentation.generator(7, 12);
        var gb = Augmentation.generator(7, 12);
        var gc = Augmentation.generator(7, 13);
        for (int i = 0; i < 64; i++) {
            a.add(aug.draw(ga));
            b.add(aug.draw(gb));
            c.add(aug.draw(gc));
        }
        assertEquals(a, b);
        assertFalse(a.equals(c));
        assertEquals("flip, shift 3", aug.describe());
        assertEquals("none", Augmentation.NONE.describe());
    }

    @Test
    void theTrainEstimatorTakesFlipAndShiftAndNamesBadValues() {
        TrainEstimator t = new TrainEstimator().withOptions(Map.of("flip", true, "shift", 2));
        assertEquals(new Augmentation(true, 2), t.trainOptions().augment());
        assertEquals(true, t.options().get("flip"));
        assertEquals(2, t.options().get("shift"));
        assertEquals(Augmentation.NONE, new TrainEstimator().trainOptions().augment());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainEstimator().withOptions(Map.of("shift", 17)));
        assertTrue(e.getMessage().contains("shift") && e.getMessage().contains("17"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TrainEstimator().withOptions(Map.of("flip", "yes")));
    }
}
