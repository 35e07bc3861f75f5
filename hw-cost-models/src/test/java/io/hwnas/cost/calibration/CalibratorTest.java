package io.hwnas.cost.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.KernelPlan;
import io.hwnas.cost.GraphRewrites;
import io.hwnas.cost.device.Calibration;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.validation.Agreement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibratorTest {

    /** A "true" device: the catalog profile with other efficiencies and overheads. */
    private static DeviceProfile truth(DeviceProfile d) {
        return d.withNumber("eff_dense", 0.08, "truth").withNumber("overhead_us_elementwise", 60, "truth")
                .withNumber("eff_memory", 0.2, "truth").withNumber("fixed_ms", 3, "truth");
    }

    @Test
    void recoversAShiftedDeviceFromFiftyNoisyMeasurementsWithOutliers(@TempDir Path dir) {
        SearchSpace s = SearchSpaces.get("nb201");
        DeviceProfile base = DeviceCatalog.get("xeon-gold-6226");
        DeviceProfile truth = truth(base);
        AnalyticalModel cpu = (AnalyticalModel) CostModels.get("cpu");
        SplittableRandom rng = new SplittableRandom(11);
        List<KernelPlan> plans = new ArrayList<>();
        double[] y = new double[250];
        for (int i = 0; i < y.length; i++) {
            Network n = s.network(s.sample(rng));
            plans.add(KernelPlan.compact(n, GraphRewrites.NONE));
            y[i] = cpu.latencyMs(plans.get(i), truth, 1) * Math.exp(0.02 * rng.nextGaussian());
        }
        double[] cal = java.util.Arrays.copyOf(y, 50);
        cal[3] *= 20; // outliers
        cal[7] /= 30;
        Calibration c = Calibrator.fit(cpu, base, plans.subList(0, 50), cal, 1, "synthetic");
        DeviceProfile fitted = base.withCalibration(c);
        double[] pred = new double[200];
        double[] before = new double[200];
        double[] meas = new double[200];
        for (int i = 0; i < 200; i++) {
            pred[i] = cpu.latencyMs(plans.get(50 + i), fitted, 1);
            before[i] = cpu.latencyMs(plans.get(50 + i), base, 1);
            meas[i] = y[50 + i];
            assertTrue(pred[i] > 0);
        }
        assertTrue(Agreement.spearman(pred, meas) > 0.95, "spearman " + Agreement.spearman(pred, meas));
        assertTrue(Agreement.mape(pred, meas) < 5, "mape " + Agreement.mape(pred, meas));
        assertTrue(Agreement.mape(pred, meas) < Agreement.mape(before, meas) / 3);
        c.numbers().values().forEach(q -> assertTrue(q.value() > 0));

        Path file = dir.resolve("cal.json");
        c.write(file);
        Calibration back = Calibration.load(file);
        assertEquals(c.numbers(), back.numbers());
        assertEquals(fitted.numbers(), base.withCalibration(file).numbers());
        assertEquals(0.35, DeviceCatalog.get("xeon-gold-6226").number("eff_dense"), "the profile is untouched");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceCatalog.get("raspi4").withCalibration(back));
        assertTrue(e.getMessage().contains("xeon-gold-6226"));
    }

    @Test
    void rejectsNonPositiveMeasurements() {
        SearchSpace s = SearchSpaces.get("nb201");
        KernelPlan p = KernelPlan.compact(s.network(s.parse("0")), GraphRewrites.NONE);
        AnalyticalModel cpu = (AnalyticalModel) CostModels.get("cpu");
        assertThrows(IllegalArgumentException.class,
                () -> Calibrator.fit(cpu, DeviceCatalog.get("raspi4"), List.of(p), new double[] {-1}, 1, "x"));
    }
}
