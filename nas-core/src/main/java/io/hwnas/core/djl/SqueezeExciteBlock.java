package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Squeeze-and-excite: channel gates from a global average pool through two 1x1 convolutions. */
final class SqueezeExciteBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block reduce;
    private final Block expand;

    SqueezeExciteBlock(int channels, int hidden) {
        super(VERSION);
        reduce = addChildBlock("reduce", conv1x1(hidden));
        expand = addChildBlock("expand", conv1x1(channels));
    }

    /** The 1x1 convolution from the channels to the hidden gates. */
    Block reduce() {
        return reduce;
    }

    /** The 1x1 convolution from the hidden gates back to the channels. */
    Block expand() {
        return expand;
    }

    private static Block conv1x1(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(filters).optBias(true).build();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray s = NetworkBlock.globalAvgPool(x);
        s = reduce.forward(store, new NDList(s), training, params).singletonOrThrow();
        s = Activation.relu(s);
        s = expand.forward(store, new NDList(s), training, params).singletonOrThrow();
        return new NDList(x.mul(Activation.sigmoid(s)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        reduce.initialize(manager, dataType, new Shape(in.get(0), in.get(1), 1, 1));
        expand.initialize(manager, dataType, reduce.getOutputShapes(new Shape[] {new Shape(in.get(0), in.get(1), 1,
                1)}));
    }
}
