package io.hwnas.core.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.hwnas.core.ir.Layer;
import java.util.Map;

/**
 * A parameter store that hands the weights of MAC layers through a {@link MacHook}: the DJL convolution and linear
 * blocks read their weight from the store, so they multiply by what the hook returns while every other parameter,
 * and the trained array itself, stay as they are.
 */
final class HookedStore extends ParameterStore {

    private final ParameterStore inner;
    private final Map<Parameter, Layer> weights;
    private final MacHook hook;

    HookedStore(ParameterStore inner, Map<Parameter, Layer> weights, MacHook hook) {
        super(inner.getManager(), false);
        this.inner = inner;
        this.weights = weights;
        this.hook = hook;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        NDArray value = inner.getValue(parameter, device, training);
        Layer l = weights.get(parameter);
        return l == null ? value : hook.weight(l, value, training);
    }
}
