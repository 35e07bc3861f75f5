package io.hwnas.experiments.agent.device;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Energy;
import io.hwnas.cost.KernelPlan;
import io.hwnas.cost.calibration.Calibrator;
import io.hwnas.cost.device.Calibration;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.Measurement;
import io.hwnas.experiments.agent.MeasurementCache;
import io.hwnas.experiments.agent.RetryingAgent;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.evaluate.DeviceUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A device of a search measured through an agent. Each candidate is exported to ONNX (seeded random weights) and
 * timed on the agent, the latency cached in the run directory by architecture key ({@link MeasurementCache}). With
 * {@code calibrate_after: N} only the first N distinct candidates the strategy asks for are measured (the run's
 * ask order, not the order evaluations finish in); the device's analytical model is then calibrated on them
 * ({@link Calibrator}, the fit of {@code cost validate --calibrate}; written to
 * {@code agent-calibration/DEVICE.json} in the run directory) and predicts the rest; Pareto members are measured
 * at the end ({@link #measured}). Energy is the model's dynamic energy plus the profile's static power times the
 * latency used, or with {@code energy: measured} the agent's energy counter for every measured candidate (Pareto
 * members included; a candidate the model predicts keeps the model's energy, marked predicted); memory and model
 * bytes are the model's. An agent lost for longer than {@code retry_seconds}
 * fails the measurement with {@link DeviceUnavailableException}; after that each measurement tries once until
 * the agent answers again.
 */
public final class AgentTarget implements DeviceTarget {

    private final ExperimentConfig.DeviceSpec spec;
    private final ExperimentConfig.Agent agent;
    private final DeviceProfile profile;
    private final CostModel model;
    private final RetryingAgent patient;
    private final RetryingAgent once;
    private final Supplier<MeasurementCache> cache;
    private final Path calibrationFile;
    private final Map<String, Integer> order = new HashMap<>();
    private final List<String> first = new ArrayList<>();
    private final Map<String, Network> firstNetworks = new HashMap<>();
    private DeviceProfile calibrated;
    private boolean lost;

    AgentTarget(ExperimentConfig.DeviceSpec spec, DeviceProfile profile, CostModel model, AgentClient client,
            Supplier<MeasurementCache> cache, Path runDir) {
        this.spec = spec;
        this.agent = spec.agent();
        this.profile = profile;
        this.model = model;
        this.patient = RetryingAgent.of(client, java.time.Duration.ofSeconds(agent.retrySeconds()));
        this.once = RetryingAgent.of(client, java.time.Duration.ZERO);
        this.cache = cache;
        this.calibrationFile = runDir.resolve("agent-calibration").resolve(spec.name() + ".json");
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String description() {
        return profile.name() + " measured through the agent " + agent.url() + " (" + agent.latency() + ", "
                + (agent.calibrateAfter() == null ? "every candidate" : "calibrate after " + agent.calibrateAfter())
                + "), " + model.name() + " model";
    }

    @Override
    public synchronized void asked(List<Architecture> batch, Function<Architecture, Network> networks) {
        for (Architecture a : batch) {
            String key = a.canonical();
            if (order.putIfAbsent(key, order.size()) == null && agent.calibrateAfter() != null
                    && first.size() < agent.calibrateAfter()) {
                first.add(key);
                firstNetworks.put(key, networks.apply(a));
            }
        }
    }

    @Override
    public CostReport cost(Architecture architecture, Network network) {
        CostReport base = model.estimate(architecture, network, profile, 1);
        String key = architecture.canonical();
        Figures known = cached(key);
        if (known != null) {
            return with(base, known, true);
        }
        if (measures(key)) {
            return with(base, measure(key, network), true);
        }
        double predicted = agent.calibrateAfter() == 0 ? base.latencyMs()
                : model.estimate(architecture, network, calibrated(), 1).latencyMs();
        return with(base, new Figures(predicted, Double.NaN), false);
    }

    /** What a measurement gives the search: the latency statistic, and energy per inference (NaN: not measured). */
    private record Figures(double latencyMs, double energyMj) {
    }

    /** The figures measured earlier (this run or before a resume), or null. */
    private Figures cached(String key) {
        Double ms = cache.get().get(name(), key);
        return ms == null ? null : new Figures(ms, cache.get().energy(name(), key));
    }

    /** Every candidate without calibrate_after; else the first N asked. */
    private synchronized boolean measures(String key) {
        if (agent.calibrateAfter() == null) {
            return true;
        }
        Integer i = order.get(key);
        return i != null && i < agent.calibrateAfter();
    }

    @Override
    public boolean measuresFronts() {
        return true;
    }

    @Override
    public boolean measuredByDriver() {
        return true;
    }

    @Override
    public CostReport measured(Architecture architecture, Network network) {
        return with(model.estimate(architecture, network, profile, 1), measure(architecture.canonical(), network),
                true);
    }

    /**
     * The base report with the figures' latency (the static energy scaled to it), marked measured or predicted;
     * with {@code energy: measured}, a measured candidate's energy is the agent's counter's.
     */
    private CostReport with(CostReport base, Figures f, boolean measured) {
        double latency = f.latencyMs();
        Map<String, Double> details = new LinkedHashMap<>(base.details());
        double energy = base.energyMj();
        Double still = details.get(Energy.STATIC);
        if (still != null && base.latencyMs() > 0 && !Double.isNaN(energy)) {
            double scaled = still * latency / base.latencyMs();
            energy = Math.max(0, energy - still + scaled);
            details.put(Energy.STATIC, scaled);
        }
        details.put(LATENCY_MEASURED, measured ? 1.0 : 0.0);
        if (agent.measuresEnergy()) {
            boolean counted = measured && !Double.isNaN(f.energyMj());
            energy = counted ? f.energyMj() : energy;
            details.put(ENERGY_MEASURED, counted ? 1.0 : 0.0);
        }
        return new CostReport(base.device(), base.model(), 1, latency, energy, base.peakMemoryBytes(),
                base.modelBytes(), base.layers(), base.violations(), details);
    }

    /** The figures of one network on the agent: from the cache, or measured now and cached. */
    private synchronized Figures measure(String key, Network network) {
        Figures known = cached(key);
        if (known != null) {
            return known;
        }
        Measurement m;
        boolean wasLost = lost;
        try {
            m = (wasLost ? once : patient).measure(DeviceProbe.onnx(network), agent.warmup(), agent.runs());
            lost = false;
        } catch (RetryingAgent.AgentLost e) {
            lost = true;
            throw new DeviceUnavailableException(name() + ": " + (wasLost ? "agent " + agent.url() + " still lost "
                    + "(tried once; an earlier measurement waited " + agent.retrySeconds() + " s): "
                    + e.getCause().getMessage() : e.getMessage()), e);
        } catch (AgentClient.AgentError e) {
            if (e.status() == 401 || e.status() == 403) {
                throw new DeviceUnavailableException(name() + ": " + e.getMessage(), e);
            }
            throw e;
        }
        if (agent.measuresEnergy() && Double.isNaN(m.energyMj())) {
            throw new IllegalStateException(name() + ": energy: measured, but the agent at " + agent.url()
                    + " has no energy counter (" + m.energyNote() + "); it reads RAPL on x86 Linux and the INA3221 "
                    + "monitors of Jetson boards; use energy: model for the model's energy");
        }
        double ms = m.latency(agent.latency());
        cache.get().put(name(), key, ms, m);
        return new Figures(ms, m.energyMj());
    }

    /** The profile calibrated on the first N asked candidates (measured now if they were not yet). */
    private synchronized DeviceProfile calibrated() {
        if (calibrated != null) {
            return calibrated;
        }
        if (Files.isRegularFile(calibrationFile)) {
            calibrated = profile.withCalibration(calibrationFile);
            return calibrated;
        }
        int n = agent.calibrateAfter();
        if (first.size() < n) {
            throw new IllegalStateException(name() + ": the model is calibrated on the first " + n + " candidates, "
                    + "but only " + first.size() + " were asked");
        }
        List<KernelPlan> plans = new ArrayList<>();
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            Network net = firstNetworks.get(first.get(i));
            y[i] = measure(first.get(i), net).latencyMs();
            plans.add(AnalyticalModel.plan(net, profile));
        }
        Calibration c = Calibrator.fit((AnalyticalModel) model, profile, plans, y, 1, n + " agent measurements on "
                + agent.url() + " (" + agent.latency() + ")");
        write(c);
        calibrated = profile.withCalibration(c);
        return calibrated;
    }

    private void write(Calibration c) {
        Path temp = calibrationFile.resolveSibling(calibrationFile.getFileName() + ".tmp");
        c.write(temp);
        try {
            Files.move(temp, calibrationFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + calibrationFile, e);
        }
    }

    @Override
    public List<String> check(String space) {
        return model.check(profile, space, 1);
    }

    @Override
    public java.util.Optional<String> energyUnknown() {
        return model.energyUnknown(profile);
    }

    @Override
    public Map<String, String> hashes() {
        Map<String, String> h = io.hwnas.experiments.setup.CostModelTarget.hashes(spec, profile, model);
        h.put("agent", agent.url());
        return h;
    }
}
