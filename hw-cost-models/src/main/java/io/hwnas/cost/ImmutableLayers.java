package io.hwnas.cost;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * Base of per-layer breakdowns that are built on demand from a model's arrays; they are immutable,
 * so a {@link CostReport} keeps them without copying.
 */
public abstract class ImmutableLayers extends AbstractList<LayerCost> implements RandomAccess {
}
