package io.hwnas.experiments.setup;

import io.hwnas.cost.CostModels;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.DeviceTarget;
import java.nio.file.Files;

/** Turns a config's device section into a bound target, or throws IllegalArgumentException saying why not. */
@FunctionalInterface
public interface DeviceBinding {

    DeviceTarget bind(ExperimentConfig.DeviceSpec spec);

    /**
     * The application's binding: catalog profiles (or profile files) with their cost models and calibrations; a
     * device with an {@code agent} section is bound to its cost model alone (the live view; a search binds it with
     * {@code AgentBinding}, which measures).
     */
    static DeviceBinding catalog() {
        return spec -> {
            DeviceProfile profile = profile(spec);
            String model = spec.model() == null ? profile.defaultModel() : spec.model();
            return new CostModelTarget(spec, profile, CostModels.get(model));
        };
    }

    /** The device's profile (catalog name or file) with its calibration file, if it names one. */
    static DeviceProfile profile(ExperimentConfig.DeviceSpec spec) {
        DeviceProfile profile = DeviceCatalog.get(spec.profile());
        if (spec.calibration() != null) {
            if (!Files.isRegularFile(spec.calibration())) {
                throw new IllegalArgumentException("calibration file " + spec.calibration() + " does not exist");
            }
            profile = profile.withCalibration(spec.calibration());
        }
        return profile;
    }
}
