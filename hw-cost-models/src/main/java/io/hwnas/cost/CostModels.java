package io.hwnas.cost;

import io.hwnas.core.plugin.Registry;
import io.hwnas.cost.device.DeviceProfile;

/** The cost models on the class path, by name: cpu, gpu, npu, neuromorphic, table, lut, measured. */
public final class CostModels {

    private static final class Holder {
        static final Registry<CostModel> REGISTRY = Registry.load("cost model", CostModel.class);
    }

    private CostModels() {
    }

    public static Registry<CostModel> registry() {
        return Holder.REGISTRY;
    }

    /** The model called {@code name}; an unknown name fails with the known ones. */
    public static CostModel get(String name) {
        return registry().get(name);
    }

    /** The device's default model. */
    public static CostModel forDevice(DeviceProfile device) {
        return get(device.defaultModel());
    }
}
