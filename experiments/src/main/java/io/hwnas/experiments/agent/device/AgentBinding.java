package io.hwnas.experiments.agent.device;

import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.MeasurementCache;
import io.hwnas.experiments.agent.Token;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.setup.DeviceBinding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The device binding of a search whose devices may name an {@code agent}: those are bound to an
 * {@link AgentTarget} measuring into the run directory's cache, the others as {@link DeviceBinding#catalog()}
 * binds them. Injected by the command line, so the layers below the agent see only {@link DeviceBinding}.
 */
public final class AgentBinding {

    /** The time one request to the agent may take (a measurement included). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(300);

    private AgentBinding() {
    }

    /** The binding of the run in {@code runDir} (its measurement cache is opened at the first measurement). */
    public static DeviceBinding of(Path runDir) {
        Supplier<MeasurementCache> cache = new Supplier<>() {
            private MeasurementCache open;

            @Override
            public synchronized MeasurementCache get() {
                if (open == null) {
                    open = MeasurementCache.open(runDir);
                }
                return open;
            }
        };
        DeviceBinding catalog = DeviceBinding.catalog();
        return spec -> spec.agent() == null ? catalog.bind(spec) : bind(spec, runDir, cache);
    }

    private static AgentTarget bind(ExperimentConfig.DeviceSpec spec, Path runDir, Supplier<MeasurementCache> cache) {
        DeviceProfile profile = DeviceBinding.profile(spec);
        CostModel model = CostModels.get(spec.model() == null ? profile.defaultModel() : spec.model());
        Integer n = spec.agent().calibrateAfter();
        if (n != null && n > 0 && !(model instanceof AnalyticalModel)) {
            throw new IllegalArgumentException("agent.calibrate_after " + n + " needs an analytical cost model (cpu, "
                    + "gpu, npu) to calibrate, but the device's model is '" + model.name() + "'");
        }
        AgentClient client = new AgentClient(spec.agent().url(), Token.read(spec.agent().tokenFile()), REQUEST_TIMEOUT);
        return new AgentTarget(spec, profile, model, client, cache, runDir);
    }
}
