package io.hwnas.core.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A weight-sharing supernet of the {@code mobilenet} MBConv space (Once-for-All): one set of weights, those of
 * the {@link SupernetSpec#largest() largest} subnet (every stage at depth 4, the largest kernel and expansion,
 * squeeze-excite, full channels), serves every subnet of the spec's elastic range.
 *
 * <ul>
 *   <li>Elastic depth: a stage of depth d runs its first d blocks (the space names them alike).</li>
 *   <li>Elastic kernel: a smaller depthwise kernel is the centre of the next larger one, multiplied by a
 *       learned (k&sup2; x k&sup2;) transform matrix per block and size step (7 to 5, 5 to 3), shared by all
 *       channels and started at the identity, as in OFA. Plain centre cropping would force the centre of the 7x7
 *       kernel to serve three roles at once; OFA reports that the per-size transform, at (25&sup2; + 9&sup2;)
 *       parameters per block, lets each size keep its own weight distribution, and at the identity it starts
 *       as exactly the crop, so nothing is lost by adding it.</li>
 *   <li>Elastic expansion and channel scale: the first channels of each channel dimension, which
 *       {@link #sortChannels()} orders by importance.</li>
 *   <li>Squeeze-excite on or off: the block's SE weights, sliced to the subnet's hidden channels, or none.</li>
 *   <li>Elastic resolution ({@link SupernetSpec#resolutions()}): convolutions and global pooling take any input
 *       size, so a subnet at a smaller resolution runs on the same weights; only batch-norm statistics depend on
 *       it, and an evaluation recalibrates them per subnet at its resolution anyway.</li>
 * </ul>
 *
 * <p>Parameters live in the manager the supernet is {@link #create created} in; call {@code create} inside
 * {@code Autograd.exclusive(seed, ...)} for a seeded initialisation (the largest network's initialisation of
 * {@code NetworkBlock}, the transforms at the identity).
 */
public final class MobilenetSupernet extends AbstractBlock {

    private static final byte VERSION = 1;

    private final SupernetSpec spec;
    private final NetworkBlock weights;
    private final Map<String, Parameter> transforms = new LinkedHashMap<>();
    private final ElasticWeights elastic;
    private boolean channelsLast = true;

    private MobilenetSupernet(SupernetSpec spec) {
        super(VERSION);
        this.spec = spec;
        this.weights = addChildBlock("weights", DjlNetworks.block(spec.network(spec.largest())));
        List<Integer> k = spec.kernels();
        for (Layer l : weights.network().layers()) {
            if (!l.isDepthwise() || !l.name().startsWith("stage")) {
                continue;
            }
            for (int i = k.size() - 1; i > 0; i--) {
                String key = ElasticWeights.transformKey(l.name(), k.get(i), k.get(i - 1));
                int n = k.get(i - 1) * k.get(i - 1);
                transforms.put(key, addParameter(Parameter.builder().setName(key).setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(n, n))
                        .optInitializer((m, shape, type) -> m.eye((int) shape.get(0)).toType(type, false))
                        .build()));
            }
        }
        this.elastic = new ElasticWeights(weights, transforms, k);
    }

    /** A supernet with initialised float32 parameters in {@code manager} (the caller owns and closes it). */
    public static MobilenetSupernet create(SupernetSpec spec, NDManager manager) {
        return create(spec, manager, DataType.FLOAT32);
    }

    /** {@link #create(SupernetSpec, NDManager)} with parameters of another type (float64 for exact comparisons). */
    static MobilenetSupernet create(SupernetSpec spec, NDManager manager, DataType type) {
        MobilenetSupernet s = new MobilenetSupernet(spec);
        s.initialize(manager, type, new Shape(1, spec.channels(), spec.resolution(), spec.resolution()));
        return s;
    }

    /**
     * Sets the scale (gamma) of the batch norm that ends each residual block's branch to zero, so that every residual
     * block starts as the identity ({@link SupernetTrainingOptions#zeroInitResidual}); returns how many were set.
     */
    public int zeroInitResidual() {
        List<Layer> layers = weights.network().layers();
        int[] readers = weights.network().consumers();
        int n = 0;
        for (Layer l : layers) {
            if (l.kind() != LayerKind.ADD) {
                continue;
            }
            for (int in : l.inputs()) { // the branch's last batch norm feeds only the sum; the skip input feeds more
                Layer branch = layers.get(in);
                Parameter gamma = branch.kind() == LayerKind.BATCH_NORM && readers[in] == 1
                        ? ElasticWeights.params(weights.layerBlock(branch.id())).get("gamma") : null;
                if (gamma != null) {
                    gamma.getArray().muli(0f);
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Whether {@link #forward} runs channels-last (the default; each convolution shape checked on this machine,
     * {@code ConvLayoutCheck}) or in PyTorch's contiguous layout. The 32x32 supernet of
     * {@code examples/supernet-fashion-mnist.yaml} trains 2.3 times as fast channels-last on this project's 2-core
     * machine (400 sandwich steps: 153 against 351 s, its 12 seeded subnets then at 78.6% against 76.2% mean
     * validation top-1).
     */
    public MobilenetSupernet channelsLast(boolean on) {
        channelsLast = on;
        return this;
    }

    public SupernetSpec spec() {
        return spec;
    }

    /** The network whose weights the supernet keeps (the largest subnet's). */
    public NetworkBlock weights() {
        return weights;
    }

    /** The names of the kernel transforms (parameters a supernet serving one kernel does not have). */
    java.util.Set<String> transformNames() {
        return java.util.Collections.unmodifiableSet(transforms.keySet());
    }

    /** The trainable parameters: the largest network's, then the kernel transforms. */
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>(weights.trainable());
        out.addAll(transforms.values());
        return out;
    }

    /**
     * The logits of a subnet for a batch {@code x} of shape (N, C, H, W); every array made lives in {@code x}'s
     * manager. In training mode batch norm uses the batch's statistics and moves the running statistics of the
     * channels the subnet uses (the slices are views of the supernet's).
     *
     * @throws IllegalArgumentException if the subnet is outside the supernet's elastic range
     */
    public NDArray forward(Architecture subnet, NDArray x, boolean training) {
        return forward(subnet, null, x, training);
    }

    /**
     * {@link #forward(Architecture, NDArray, boolean)} of the subnet with its outer channel groups narrowed to
     * {@code groupWidths} ({@link SupernetSpec#network(Architecture, double[])}; null: full widths), as the training
     * with elastic group widths runs it.
     */
    public NDArray forward(Architecture subnet, double[] groupWidths, NDArray x, boolean training) {
        spec.check(subnet);
        NDManager m = x.getManager();
        return SubnetForward.run(spec.network(subnet, groupWidths), l -> elastic.of(l, m), x, training,
                channelsLast);
    }

    /**
     * The standalone network of a subnet ({@link SupernetSpec#network}) as a block initialised in
     * {@code manager}, holding copies of the supernet weights the subnet uses (kernel transforms applied).
     * Call it with gradients off ({@code Autograd.exclusive} or {@code Autograd.withoutGradients}). The block
     * starts from zeros, not from DJL's random generator, before the copies overwrite every parameter, so an
     * extraction never shifts a seeded section in another thread; it only reads the supernet's parameters, so
     * threads may extract from one supernet at once.
     *
     * @throws IllegalArgumentException if the subnet is outside the supernet's elastic range
     */
    public NetworkBlock extract(Architecture subnet, NDManager manager) {
        spec.check(subnet);
        Network network = spec.network(subnet);
        NetworkBlock block = DjlNetworks.block(network);
        block.setInitializer(Initializer.ZEROS, p -> true);
        block.initialize(manager, DataType.FLOAT32, DjlNetworks.inputShape(network, 1));
        try (NDManager scratch = manager.newSubManager()) {
            for (Layer l : network.layers()) {
                if (!l.kind().hasWeights()) {
                    continue;
                }
                Map<String, NDArray> src = elastic.of(l, scratch);
                Map<String, Parameter> dst = ElasticWeights.params(block.layerBlock(l.id()));
                if (!src.keySet().equals(dst.keySet())) {
                    throw new IllegalStateException("layer " + l.name() + ": the supernet gives " + src.keySet()
                            + " but the network has " + dst.keySet());
                }
                for (var e : dst.entrySet()) {
                    NDArray value = src.get(e.getKey());
                    if (!value.getShape().equals(e.getValue().getArray().getShape())) {
                        throw new IllegalStateException("layer " + l.name() + " " + e.getKey() + ": shape "
                                + value.getShape() + " for " + e.getValue().getArray().getShape());
                    }
                    e.getValue().getArray().set(FloatBuffer.wrap(value.toFloatArray()));
                }
            }
        }
        return block;
    }

    /**
     * Reorders the hidden (expanded) channels of every MBConv block by importance, most important first, so
     * that a smaller expansion keeps the important ones (OFA re-organises the middle channels before it shrinks
     * the expansion). See {@link ChannelSorter} for the importance; the largest subnet's function is unchanged.
     */
    public void sortChannels() {
        new ChannelSorter(weights, elastic).sortAll();
    }

    /** Runs the largest subnet (the block interface; use {@link #forward(Architecture, NDArray, boolean)}). */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(spec.largest(), inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), spec.classes())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        weights.initialize(manager, dataType, inputShapes);
    }
}
