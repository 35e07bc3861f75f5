package io.hwnas.experiments.agent.device;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.KernelPlan;
import io.hwnas.cost.calibration.Calibrator;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.experiments.agent.Measurement;
import io.hwnas.experiments.agent.MeasurementCache;
import io.hwnas.experiments.agent.RetryingAgent;
import java.util.ArrayList;
import java.util.List;

/**
 * The latency of architectures on a device behind an agent, as a search needs it: the first
 * {@code calibrateAfter} distinct architectures are measured (cached by architecture key, so a resumed
 * run measures nothing twice); then the device's analytical model is calibrated on those measurements
 * ({@link Calibrator}) and predicts the rest; {@link #measure} measures any architecture (Pareto members)
 * whatever the count. An agent lost for longer than the retry patience surfaces as
 * {@link RetryingAgent.AgentLost}.
 */
public final class CalibratingAgentDevice {

    /**
     * A latency and whether it was measured (else predicted by the calibrated model).
     *
     * @param ms       milliseconds per inference at batch 1
     * @param measured true when the agent measured it
     */
    public record Latency(double ms, boolean measured) {
    }

    private final String device;
    private final DeviceProfile profile;
    private final AnalyticalModel model;
    private final SearchSpace space;
    private final RetryingAgent agent;
    private final MeasurementCache cache;
    private final int calibrateAfter;
    private final String statistic;
    private final int runs;
    private DeviceProfile calibrated;

    public CalibratingAgentDevice(DeviceProfile profile, AnalyticalModel model, SearchSpace space, RetryingAgent agent,
            MeasurementCache cache, int calibrateAfter, String statistic, int runs) {
        if (calibrateAfter < 1) {
            throw new IllegalArgumentException("calibrate_after must be at least 1, but was " + calibrateAfter);
        }
        this.device = profile.name();
        this.profile = profile;
        this.model = model;
        this.space = space;
        this.agent = agent;
        this.cache = cache;
        this.calibrateAfter = calibrateAfter;
        this.statistic = statistic;
        this.runs = runs;
    }

    /** Measured while fewer than {@code calibrateAfter} are, else predicted by the calibrated model. */
    public synchronized Latency latency(Architecture a) {
        Double known = cache.get(device, a.canonical());
        if (known != null) {
            return new Latency(known, true);
        }
        if (cache.count(device) < calibrateAfter) {
            return new Latency(measure(a), true);
        }
        return new Latency(model.latencyMs(KernelPlan.of(space.network(a), AnalyticalModel.fuses(profile),
                AnalyticalModel.foldsZero(profile)), calibrated(), 1), false);
    }

    /** The measured latency (from the cache, or measured now and cached). */
    public synchronized double measure(Architecture a) {
        Double known = cache.get(device, a.canonical());
        if (known != null) {
            return known;
        }
        Measurement m = agent.measure(DeviceProbe.onnx(space.network(a)), 3, runs);
        double ms = m.latency(statistic);
        cache.put(device, a.canonical(), ms, m);
        return ms;
    }

    /** The profile calibrated on the first {@code calibrateAfter} measurements of the device (fitted once). */
    public synchronized DeviceProfile calibrated() {
        if (calibrated == null) {
            List<String> keys = cache.keys(device);
            if (keys.size() < calibrateAfter) {
                throw new IllegalStateException("only " + keys.size() + " of " + calibrateAfter + " measurements");
            }
            List<KernelPlan> plans = new ArrayList<>();
            double[] y = new double[calibrateAfter];
            for (int i = 0; i < calibrateAfter; i++) {
                plans.add(KernelPlan.of(space.network(space.parse(keys.get(i))), AnalyticalModel.fuses(profile),
                        AnalyticalModel.foldsZero(profile)));
                y[i] = cache.get(device, keys.get(i));
            }
            calibrated = profile.withCalibration(Calibrator.fit(model, profile, plans, y, 1, calibrateAfter
                    + " agent measurements on " + agent.url()));
        }
        return calibrated;
    }
}
