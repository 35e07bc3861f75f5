package io.hwnas.experiments.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.search.CostOracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The strategies' oracle answers from cost tables what the full cost reports say, one at a time and in batches. */
class TableOracleTest {

    @Test
    void predictionsEqualTheCostReports() {
        RunSetup setup = RunSetup.load(Path.of("..", "examples", "quickstart.yaml"), DeviceBinding.catalog());
        CostOracle oracle = setup.problem().oracle();
        SplittableRandom rng = new SplittableRandom(7);
        List<Architecture> as = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            as.add(setup.space().sample(rng));
        }
        for (DeviceTarget d : setup.devices()) {
            for (Metric m : List.of(Metric.LATENCY_MS, Metric.ENERGY_MJ, Metric.PEAK_MEMORY_BYTES)) {
                String name = m.key() + "@" + d.name();
                double[] all = oracle.predictAll(name, as);
                for (int i = 0; i < as.size(); i++) {
                    CostReport r = d.cost(as.get(i), setup.evaluator().network(as.get(i)));
                    double want = m.of(r);
                    assertEquals(want, all[i], 1e-12 * Math.abs(want), name);
                    assertEquals(want, oracle.predict(name, as.get(i)).orElseThrow(), 1e-12 * Math.abs(want), name);
                }
            }
        }
        assertTrue(oracle.predict("latency_ms@nowhere", as.get(0)).isEmpty());
        assertTrue(Double.isNaN(oracle.predictAll("latency_ms@nowhere", as)[0]));
    }
}
