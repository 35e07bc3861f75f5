package io.hwnas.core.data;

import io.hwnas.core.ir.Shape;
import java.util.Objects;

/**
 * Turns images into normalised float batches of a network's input shape: per-channel
 * normalisation, zero-padding (or bilinear resizing when padding does not fit) and channel
 * replication (1 into 3) or averaging (3 into 1). Immutable; {@link #fill} is thread-safe.
 */
public final class ImageBatcher {

    private final Shape source;
    private final Shape target;
    private final double[] mean;
    private final double[] std;

    /**
     * @param mean per source channel, of pixels scaled to 0..1
     * @param std  per source channel, positive
     */
    public ImageBatcher(Shape source, Shape target, double[] mean, double[] std) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        int c = source.channels();
        if (mean.length != c || std.length != c) {
            throw new IllegalArgumentException("normalisation needs " + c + " means and standard deviations, but got "
                    + mean.length + " and " + std.length);
        }
        if (c != target.channels() && c != 1 && target.channels() != 1) {
            throw new IllegalArgumentException("cannot map images of " + source + " to a network input of " + target
                    + ": channels must match, or one side must have 1 channel");
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** A batcher normalising with the statistics of {@code data}. */
    public static ImageBatcher fitted(ImageDataset data, Shape target) {
        double[][] s = data.channelStats();
        return new ImageBatcher(data.shape(), target, s[0], s[1]);
    }

    public Shape target() {
        return target;
    }

    /** This batcher's normalisation for another network input (another resolution of the same images). */
    public ImageBatcher at(Shape newTarget) {
        return newTarget.equals(target) ? this : new ImageBatcher(source, newTarget, mean, std);
    }

    /** Images {@code indices[from..to)} of {@code data} as floats, NCHW in the target shape. */
    public float[] fill(ImageDataset data, int[] indices, int from, int to) {
        return fill(data, indices, from, to, Augmentation.NONE, null);
    }

    /**
     * Images {@code indices[from..to)} of {@code data}, each augmented by a draw of {@code augment} from
     * {@code random} (in order), as floats, NCHW in the target shape.
     */
    public float[] fill(ImageDataset data, int[] indices, int from, int to, Augmentation augment,
            java.util.random.RandomGenerator random) {
        if (!data.shape().equals(source)) {
            throw new IllegalArgumentException(data.name() + " has images of " + data.shape() + ", not " + source);
        }
        int per = (int) target.elements();
        float[] out = new float[(to - from) * per];
        float[] plane = new float[target.height() * target.width()];
        int tc = target.channels();
        int sc = source.channels();
        for (int j = from; j < to; j++) {
            int i = indices[j];
            int base = (j - from) * per;
            Augmentation.Draw a = augment.draw(random);
            if (sc == tc) {
                for (int ch = 0; ch < tc; ch++) {
                    resize(data, i, ch, a, plane);
                    System.arraycopy(plane, 0, out, base + ch * plane.length, plane.length);
                }
            } else if (sc == 1) {
                resize(data, i, 0, a, plane);
                for (int ch = 0; ch < tc; ch++) {
                    System.arraycopy(plane, 0, out, base + ch * plane.length, plane.length);
                }
            } else {
                for (int ch = 0; ch < sc; ch++) {
                    resize(data, i, ch, a, plane);
                    for (int k = 0; k < plane.length; k++) {
                        out[base + k] += plane[k] / sc;
                    }
                }
            }
        }
        return out;
    }

    /** One normalised channel into the target plane: centred zero-pixel padding, else bilinear. */
    private void resize(ImageDataset data, int i, int ch, Augmentation.Draw a, float[] plane) {
        int sh = source.height();
        int sw = source.width();
        int th = target.height();
        int tw = target.width();
        int off = ch * sh * sw;
        double m = mean[ch];
        double s = std[ch];
        if (th >= sh && tw >= sw && (th - sh) % 2 == 0 && (tw - sw) % 2 == 0) {
            float pad = (float) ((0 - m) / s);
            java.util.Arrays.fill(plane, pad);
            int py = (th - sh) / 2;
            int px = (tw - sw) / 2;
            for (int y = 0; y < sh; y++) {
                for (int x = 0; x < sw; x++) {
                    plane[(y + py) * tw + x + px] = (float) ((pixel(data, i, off, y, x, a) / 255.0 - m) / s);
                }
            }
            return;
        }
        for (int y = 0; y < th; y++) {
            double fy = Math.max(0, Math.min(sh - 1, (y + 0.5) * sh / th - 0.5));
            int y0 = (int) fy;
            int y1 = Math.min(sh - 1, y0 + 1);
            double wy = fy - y0;
            for (int x = 0; x < tw; x++) {
                double fx = Math.max(0, Math.min(sw - 1, (x + 0.5) * sw / tw - 0.5));
                int x0 = (int) fx;
                int x1 = Math.min(sw - 1, x0 + 1);
                double wx = fx - x0;
                double v = (1 - wy) * ((1 - wx) * pixel(data, i, off, y0, x0, a) + wx * pixel(data, i, off, y0, x1, a))
                        + wy * ((1 - wx) * pixel(data, i, off, y1, x0, a) + wx * pixel(data, i, off, y1, x1, a));
                plane[y * tw + x] = (float) ((v / 255.0 - m) / s);
            }
        }
    }

    /** Pixel (y, x) of channel plane {@code off} of image {@code i} after augmentation {@code a}: 0 off the image. */
    private double pixel(ImageDataset data, int i, int off, int y, int x, Augmentation.Draw a) {
        int sy = y - a.dy();
        int sx = x - a.dx();
        int sh = source.height();
        int sw = source.width();
        if (sy < 0 || sy >= sh || sx < 0 || sx >= sw) {
            return 0;
        }
        return data.pixel(i, off + sy * sw + (a.flip() ? sw - 1 - sx : sx));
    }
}
