package io.hwnas.core.supernet;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.ConvLayoutCheck;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.OneThread;
import io.hwnas.core.djl.WeightInheritance;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A tiny supernet spec (32 x 32 input, width 0.25, channels searched) and seeded Java-side data for the tests. */
final class SupernetFixtures {

    private SupernetFixtures() {
    }

    /** The space at resolutions 32 and 40, widths 0.25 and 0.5, channel scales searched. */
    static MobilenetSpace space() {
        return (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32, 40),
                "widths", List.of(0.25, 0.5), "search_channels", true));
    }

    /** The supernet of 3-channel 32 x 32 images, 10 classes, width 0.25, every kernel and expansion. */
    static SupernetSpec spec() {
        return SupernetSpec.of(space(), 3, 10).at(32, 0.25);
    }

    /** A float32 array of the shape with values drawn from {@code N(0, 1)} by a seeded Java generator. */
    static NDArray normal(NDManager m, Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) gaussian(r);
        }
        return m.create(v, shape);
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /**
     * Moves batch-norm statistics, scales and shifts and the kernel transforms away from their initial values
     * (seeded), so that a comparison exercises every parameter the subnets read.
     */
    static void perturb(MobilenetSupernet s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (var pair : s.getParameters()) {
            String name = pair.getKey();
            Parameter p = pair.getValue();
            NDArray a = p.getArray();
            float[] v = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < v.length; i++) {
                double g = gaussian(r);
                if (name.endsWith("runningVar")) {
                    v[i] = (float) (0.5 + r.nextDouble());
                } else if (name.endsWith("runningMean") || name.endsWith("beta")) {
                    v[i] += (float) (0.1 * g);
                } else if (name.endsWith("gamma")) {
                    v[i] = (float) (1 + 0.2 * g);
                } else if (name.contains("to")) { // kernel transforms: identity plus noise
                    v[i] += (float) (0.1 * g);
                }
            }
            if (a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                a.set(FloatBuffer.wrap(v));
            } else { // a float64 supernet gets the same values
                try (NDArray f = a.getManager().create(v, a.getShape()); NDArray d = f.toType(a.getDataType(), false)) {
                    a.set(java.nio.DoubleBuffer.wrap(d.toDoubleArray()));
                }
            }
        }
    }

    /** max |a - b| / max |a|. */
    static double relative(NDArray a, NDArray b) {
        return ConvLayoutCheck.relative(a, b);
    }

    /**
     * The max relative difference of a pruned network's logits, its weights inherited from the supernet's
     * {@code parent} subnet (groups whose writers {@code ordered} accepts keeping their first channels), to the
     * supernet's own logits of {@code target} narrowed to {@code widths} (null: full widths), on seeded images.
     */
    static double prunedDifference(SupernetSpec spec, Architecture parent, Architecture target, double[] widths,
            io.hwnas.core.ir.Network pruned, java.util.function.Predicate<String> ordered) {
        return OneThread.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet supernet = MobilenetSupernet.create(spec, m);
                perturb(supernet, 3);
                NetworkBlock child = DjlNetworks.initialized(pruned, m, ai.djl.ndarray.types.DataType.FLOAT32, 2);
                WeightInheritance.inherit(supernet.extract(parent, m), child, ordered);
                NDArray x = normal(m, new Shape(2, 3, 32, 32), 7);
                NDArray want = supernet.forward(target, widths, x, false);
                NDArray got = child.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
                return relative(want, got);
            }
        });
    }
}
