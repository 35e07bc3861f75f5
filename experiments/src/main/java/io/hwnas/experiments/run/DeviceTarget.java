package io.hwnas.experiments.run;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostReport;
import java.util.Map;

/** One target device of a run, bound to its cost model: costs every evaluated architecture. */
public interface DeviceTarget {

    /** The device name used in metric names and file names. */
    String name();

    /** What this target is, e.g. {@code raspi4 (cpu model, batch 1)}. */
    String description();

    /** Predicted costs of one architecture; pure and thread-safe. */
    CostReport cost(Architecture architecture, Network network);

    /** Hashes of the device profile and calibration files, for the manifest. */
    Map<String, String> hashes();
}
