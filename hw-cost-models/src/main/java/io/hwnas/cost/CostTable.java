package io.hwnas.cost;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.device.DeviceProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The allocation-free estimate path of one cost model, device, batch and search space: each
 * distinct decision vector is compiled once into a {@link CostRow} (its network built and planned),
 * and every estimate after that looks the row up in a primitive table and runs the model's
 * {@link FastPath} arithmetic into the caller's {@code double[]}. Results equal
 * {@link CostModel#estimate} on the space's network to 1e-12 relative. Thread-safe (serialised).
 */
public final class CostTable {

    /** Column of the latency, ms. */
    public static final int LATENCY = 0;
    /** Column of the energy, mJ (NaN when the model has no energy for the device). */
    public static final int ENERGY = 1;
    /** Column of the peak memory, bytes. */
    public static final int MEMORY = 2;
    /** Column of the model size, bytes. */
    public static final int MODEL_BYTES = 3;
    /** Column of the number of device limits broken (0 when feasible). */
    public static final int VIOLATIONS = 4;
    /** Columns per estimate. */
    public static final int WIDTH = 5;

    /** The column of a metric. */
    public static int column(Metric metric) {
        return switch (metric) {
            case LATENCY_MS -> LATENCY;
            case ENERGY_MJ -> ENERGY;
            case PEAK_MEMORY_BYTES -> MEMORY;
            case MODEL_BYTES -> MODEL_BYTES;
        };
    }

    private final SearchSpace space;
    private final Shape input;
    private final int classes;
    private final FastPath path;
    private final VectorRows index;
    private final List<CostRow> rows = new ArrayList<>();
    private final int[] scratch;
    private final double[] one = new double[WIDTH];

    private CostTable(SearchSpace space, Shape input, int classes, FastPath path) {
        this.space = space;
        this.input = input;
        this.classes = classes;
        this.path = path;
        this.scratch = new int[space.choices().length];
        this.index = new VectorRows(scratch.length);
    }

    /**
     * The table of a model on a device, or empty when the model has no fast path (table and measured
     * models, neuromorphic models with per-layer firing rates).
     *
     * @throws IllegalArgumentException if the model cannot cost the device, or the batch is not positive
     */
    public static Optional<CostTable> of(CostModel model, DeviceProfile device, int batch, SearchSpace space,
            Shape input, int classes) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, but was " + batch);
        }
        return model.fastPath(device, batch).map(p -> new CostTable(space, input, classes, p));
    }

    /** The table for the space's default input shape and class count. */
    public static Optional<CostTable> of(CostModel model, DeviceProfile device, int batch, SearchSpace space) {
        return of(model, device, batch, space, space.defaultInput(), space.defaultClasses());
    }

    /** Distinct architectures compiled so far. */
    public synchronized int compiledRows() {
        return rows.size();
    }

    /** Writes the estimate of a decision vector to {@code out[at..at+WIDTH-1]} (columns above). */
    public synchronized void estimate(int[] vector, double[] out, int at) {
        if (vector.length != scratch.length) {
            throw new IllegalArgumentException("space " + space.name() + " has " + scratch.length
                    + " decision positions, but the vector had " + vector.length);
        }
        path.cost(row(vector), out, at);
    }

    /** Writes the estimate of an architecture of this table's space to {@code out[at..at+WIDTH-1]}. */
    public synchronized void estimate(Architecture architecture, double[] out, int at) {
        estimate(vectorOf(architecture), out, at);
    }

    /** The estimates of many architectures, row-major: {@code out[i * WIDTH + column]}. */
    public synchronized double[] estimateAll(List<Architecture> architectures) {
        double[] out = new double[architectures.size() * WIDTH];
        for (int i = 0; i < architectures.size(); i++) {
            estimate(vectorOf(architectures.get(i)), out, i * WIDTH);
        }
        return out;
    }

    /** Latency, energy and peak memory of many architectures into the caller's arrays (null to skip one). */
    public synchronized void estimateAll(List<Architecture> architectures, double[] latency, double[] energy,
            double[] memory) {
        for (int i = 0; i < architectures.size(); i++) {
            estimate(vectorOf(architectures.get(i)), one, 0);
            if (latency != null) {
                latency[i] = one[LATENCY];
            }
            if (energy != null) {
                energy[i] = one[ENERGY];
            }
            if (memory != null) {
                memory[i] = one[MEMORY];
            }
        }
    }

    /** One column (e.g. {@link #LATENCY}) of an architecture's estimate. */
    public synchronized double value(Architecture architecture, int column) {
        estimate(vectorOf(architecture), one, 0);
        return one[column];
    }

    private int[] vectorOf(Architecture a) {
        List<Integer> v = a.vector();
        if (!a.space().equals(space.name()) || v.size() != scratch.length) {
            throw new IllegalArgumentException("architecture " + a + " is not of space " + space.name()
                    + " (" + scratch.length + " decision positions)");
        }
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = v.get(i);
        }
        return scratch;
    }

    private CostRow row(int[] vector) {
        int r = index.find(vector);
        if (r >= 0) {
            return rows.get(r);
        }
        Architecture a = space.decode(vector.clone());
        CostRow compiled = path.compile(space.network(a, input, classes));
        index.add(vector);
        rows.add(compiled);
        return compiled;
    }
}
