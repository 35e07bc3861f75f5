package io.hwnas.core.supernet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a {@link MobilenetSupernet} by the sandwich rule with in-place distillation (BigNAS, and OFA's
 * successor practice): each step runs the largest subnet on the labels (cross-entropy), then the smallest and
 * {@link Options#randomSubnets()} uniformly drawn subnets on the largest's soft labels (KL divergence from
 * the largest's detached softmax), sums their gradients and takes one SGD step with momentum and weight decay.
 * Training the extremes every step bounds the whole range from both sides, and distilling from the largest,
 * which is trained in the same step, gives the small subnets richer targets than one-hot labels at no extra
 * cost. With {@link SupernetSpec#elasticGroupWidths() elastic group widths} the smallest subnet keeps the narrowest
 * width of every outer channel group and each random subnet a drawn one (drawn after the subnet itself, so a spec
 * without them draws what it drew before). With {@link SupernetSpec#elasticResolutions() elastic resolutions} the
 * largest subnet runs at the largest resolution, the smallest at the smallest and each random one at a drawn one,
 * all on the step's images (BigNAS's sandwich over resolutions). Subnets are drawn from a seeded generator; call
 * {@link #step} inside {@code Autograd.exclusive} for a deterministic run.
 */
public final class SandwichTraining {

    /**
     * @param momentum      SGD momentum
     * @param weightDecay   L2 weight decay added to every gradient
     * @param randomSubnets random subnets per step besides the largest and the smallest
     */
    public record Options(double momentum, double weightDecay, int randomSubnets) {

        public Options {
            if (momentum < 0 || momentum >= 1 || weightDecay < 0 || randomSubnets < 0) {
                throw new IllegalArgumentException("sandwich training needs momentum in [0, 1), weight decay >= 0 and "
                        + "random subnets >= 0, but had " + momentum + ", " + weightDecay + ", " + randomSubnets);
            }
        }

        /** Momentum 0.9, weight decay 3e-5 (OFA's), two random subnets. */
        public static Options defaults() {
            return new Options(0.9, 3e-5, 2);
        }
    }

    /**
     * The losses of one step.
     *
     * @param largest       the largest subnet's cross-entropy on the labels
     * @param smallest      the smallest subnet's cross-entropy on the labels (measured, not trained on)
     * @param distillation  each smaller subnet's KL divergence from the largest, the smallest first
     * @param subnets       the subnets trained, the largest first
     */
    public record Losses(double largest, double smallest, List<Double> distillation, List<Architecture> subnets) {

        public Losses {
            distillation = List.copyOf(distillation);
            subnets = List.copyOf(subnets);
        }
    }

    private final MobilenetSupernet supernet;
    private final Options options;
    private final SplittableRandom random;
    private final List<Parameter> params;
    private final NDArray[] velocity;

    /** A trainer whose momentum buffers live in {@code manager} and whose subnets are drawn from {@code seed}. */
    public SandwichTraining(MobilenetSupernet supernet, Options options, long seed, NDManager manager) {
        this.supernet = supernet;
        this.options = options;
        this.random = new SplittableRandom(seed);
        this.params = supernet.trainable();
        this.velocity = new NDArray[params.size()];
        for (int i = 0; i < velocity.length; i++) {
            velocity[i] = manager.zeros(params.get(i).getArray().getShape());
        }
    }

    /**
     * One sandwich step on a batch {@code x} with one-hot labels {@code y}, at learning rate {@code lr}; every
     * array made lives in {@code x}'s manager, which the caller closes after the step.
     */
    public Losses step(NDArray x, NDArray y, double lr) {
        return step(x, y, lr, random);
    }

    /**
     * One sandwich step as {@link #step(NDArray, NDArray, double)}, with the random subnets drawn from
     * {@code subnets} instead of the trainer's own generator (a resumable run derives it from the seed and step).
     */
    public Losses step(NDArray x, NDArray y, double lr, SplittableRandom subnets) {
        return step(r -> {
            if (x.getShape().get(2) != r || x.getShape().get(3) != r) {
                throw new IllegalArgumentException("a subnet at resolution " + r + " needs inputs at that resolution, "
                        + "not " + x.getShape());
            }
            return x;
        }, y, lr, subnets);
    }

    /**
     * One sandwich step as {@link #step(NDArray, NDArray, double, SplittableRandom)} with {@link
     * SupernetSpec#elasticResolutions() elastic resolutions}: {@code x} gives the batch's images at each resolution
     * a subnet runs at (the same images, so every subnet distils from the largest on them).
     */
    public Losses step(java.util.function.IntFunction<NDArray> x, NDArray y, double lr, SplittableRandom subnets) {
        SupernetSpec spec = supernet.spec();
        List<Architecture> trained = new ArrayList<>(List.of(spec.largest(), spec.smallest()));
        List<double[]> widths = new ArrayList<>(java.util.Arrays.asList(null, spec.narrowestGroupWidths()));
        for (int i = 0; i < options.randomSubnets(); i++) {
            trained.add(spec.sample(subnets));
            widths.add(spec.drawGroupWidths(subnets)); // draws nothing without elastic group widths
        }
        long batch = y.getShape().get(0);
        double largest;
        double smallest = Double.NaN;
        List<Double> kl = new ArrayList<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = supernet.forward(trained.get(0), x.apply(spec.space().resolution(trained.get(0))), true);
            NDArray ce = Scalars.div(logits.logSoftmax(1).mul(y).sum(), -batch);
            gc.backward(ce);
            largest = ce.getFloat();
            NDArray logP = logits.stopGradient().logSoftmax(1);
            NDArray p = logP.exp();
            for (int i = 1; i < trained.size(); i++) {
                NDArray in = x.apply(spec.space().resolution(trained.get(i)));
                NDArray logQ = supernet.forward(trained.get(i), widths.get(i), in, true).logSoftmax(1);
                NDArray loss = Scalars.div(p.mul(logP.sub(logQ)).sum(), batch);
                gc.backward(loss);
                kl.add((double) loss.getFloat());
                if (i == 1) {
                    smallest = -logQ.stopGradient().mul(y).sum().getFloat() / batch;
                }
            }
        }
        update(lr, y.getManager());
        return new Losses(largest, smallest, kl, trained);
    }

    /**
     * The momentum buffers, one per {@link MobilenetSupernet#trainable()} parameter in that order: the live
     * arrays, which a checkpoint saves and a resumed run overwrites in place.
     */
    public List<NDArray> velocity() {
        return List.of(velocity);
    }

    /** One SGD step over the summed gradients: g += wd * w; v = m * v + g; w -= lr * v; then g = 0. */
    private void update(double lr, NDManager step) {
        float m = (float) options.momentum();
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).getArray();
            if (!w.hasGradient()) {
                continue;
            }
            NDArray g = w.getGradient();
            g.attach(step);
            NDArray d = g;
            if (options.weightDecay() > 0) {
                NDArray decay = w.mul((float) options.weightDecay());
                decay.attach(step);
                d = g.add(decay);
            }
            velocity[i].muli(m).addi(d);
            NDArray dir = velocity[i].mul((float) lr);
            dir.attach(step);
            w.subi(dir);
            g.muli(0f);
        }
    }
}
