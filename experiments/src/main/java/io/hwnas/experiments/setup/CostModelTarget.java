package io.hwnas.experiments.setup;

import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.CostTable;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.neuromorphic.FiringRates;
import io.hwnas.cost.neuromorphic.NeuromorphicModel;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A device of the run bound to a catalog profile (with its calibration) and a cost model. */
public final class CostModelTarget implements DeviceTarget {

    private final ExperimentConfig.DeviceSpec spec;
    private final DeviceProfile profile;
    private final CostModel model;

    public CostModelTarget(ExperimentConfig.DeviceSpec spec, DeviceProfile profile, CostModel model) {
        this.spec = spec;
        this.profile = profile;
        this.model = model;
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String description() {
        return profile.name() + " (" + profile.kind().name().toLowerCase(java.util.Locale.ROOT) + "), " + model.name()
                + " model, batch " + spec.batch() + (spec.calibration() == null ? "" : ", calibrated");
    }

    @Override
    public CostReport cost(Architecture architecture, Network network) {
        return model.estimate(architecture, network, profile, spec.batch());
    }

    @Override
    public CostReport cost(Architecture architecture, Network network, Map<String, Double> firingRates) {
        if (firingRates.isEmpty() || !spiking()) {
            return cost(architecture, network);
        }
        FiringRates rates = new FiringRates(firingRates, defaultFiringRate(), "measured");
        return NeuromorphicModel.withRates(rates).estimate(architecture, network, profile, spec.batch());
    }

    @Override
    public Optional<CostTable> table(SearchSpace space, Shape input, int classes) {
        return CostTable.of(model, profile, spec.batch(), space, input, classes);
    }

    @Override
    public boolean spiking() {
        return model instanceof NeuromorphicModel;
    }

    @Override
    public double defaultFiringRate() {
        return spiking() ? profile.number("default_rate") : Double.NaN;
    }

    @Override
    public java.util.List<String> check(String space) {
        return model.check(profile, space, spec.batch());
    }

    @Override
    public Optional<String> energyUnknown() {
        return model.energyUnknown(profile);
    }

    @Override
    public Map<String, String> hashes() {
        return hashes(spec, profile, model);
    }

    /**
     * What identifies a device costed by {@code model} on {@code profile} (with the spec's calibration file): names and
     * SHA-256 hashes, in a mutable map other targets may add to.
     */
    public static Map<String, String> hashes(ExperimentConfig.DeviceSpec spec, DeviceProfile profile, CostModel model) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("profile", profile.name());
        h.put("profile_sha256", ConfigWriter.sha256(profile.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        h.put("model", model.name());
        if (spec.calibration() != null) {
            try {
                h.put("calibration", spec.calibration().toString());
                h.put("calibration_sha256", ConfigWriter.sha256(Files.readAllBytes(spec.calibration())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return h;
    }
}
