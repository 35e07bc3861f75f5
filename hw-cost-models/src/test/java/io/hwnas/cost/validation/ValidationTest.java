package io.hwnas.cost.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.table.BenchmarkTable;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.GraphRewrites;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.table.Measurements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The validation protocol on a few columns of the shipped tables (the full 27-column table is a CLI run). */
class ValidationTest {

    @ParameterizedTest(name = "{1} calibrate {2}")
    @CsvSource({"hw_nas_bench_nb201.csv.gz,raspi4_latency,50,0.88",
            "hw_nas_bench_nb201.csv.gz,eyeriss_latency,50,0.95",
            "help_nb201_latency.csv.gz,titan_rtx_256,50,0.95",
            "help_nb201_latency.csv.gz,gold_6226,50,0.95",
            "help_nb201_latency.csv.gz,titan_rtx_1,10,0.90"})
    void calibratedModelsRankHeldOutCellsBetterThanFlops(String table, String column, int n, double min) {
        DeviceProfile d = DeviceCatalog.get(ValidationSuite.deviceFor(column));
        Measurements m = Measurements.read(table, column, "arch_str");
        Validation v = new Validation(SearchSpaces.get("nb201"), m, GraphRewrites.of(d));
        ValidationResult r = v.run(CostModels.forDevice(d), d, Measurements.batchOf(column), n, 0);
        assertEquals(n, r.nCalibrate());
        assertEquals(15625 - n, r.nTest());
        assertTrue(r.spearman() >= min, column + " spearman " + r.spearman());
        assertTrue(r.spearman() > r.flopsSpearman(), column + " " + r.spearman() + " vs FLOPs " + r.flopsSpearman());
        assertTrue(r.kendall() > 0 && r.within10() >= 0 && r.within10() <= 1 && r.mape() > 0);
        ValidationResult again = v.run(CostModels.forDevice(d), d, Measurements.batchOf(column), n, 0);
        assertEquals(r.spearman(), again.spearman(), "seeded and deterministic");
    }

    @Test
    void theGpuModelRanksOurOwnH200MeasurementsBetterThanFlops() {
        DeviceProfile d = DeviceCatalog.get("h200");
        for (String column : new String[] {"h200_1", "h200_256"}) {
            Measurements m = Measurements.read("h200_nb201_latency.csv.gz", column, "arch_str");
            Validation v = new Validation(SearchSpaces.get("nb201"), m, GraphRewrites.of(d));
            ValidationResult r = v.run(CostModels.forDevice(d), d, Measurements.batchOf(column), 50, 0);
            assertEquals(450, r.nTest());
            assertTrue(r.spearman() >= 0.85 && r.spearman() > r.flopsSpearman(),
                    column + " spearman " + r.spearman() + " vs FLOPs " + r.flopsSpearman());
            assertTrue(r.mape() < 15, column + " mape " + r.mape());
        }
    }

    @Test
    void columnsMapToCatalogDevicesAndBatches() {
        assertEquals("titan-rtx", ValidationSuite.deviceFor("titan_rtx_256"));
        assertEquals("titan-x", ValidationSuite.deviceFor("titanx_32"));
        assertEquals("titan-xp", ValidationSuite.deviceFor("titanxp_1"));
        assertEquals("xeon-gold-6226", ValidationSuite.deviceFor("gold_6226"));
        assertEquals(256, Measurements.batchOf("titan_rtx_256"));
        assertEquals(1, Measurements.batchOf("gold_6226"));
        assertEquals(1, Measurements.batchOf("essential_ph_1"));
        assertEquals(1, Measurements.batchOf("raspi4_latency"));
        assertEquals(27, ValidationSuite.latencyColumns(BenchmarkTable.shipped(BenchmarkTable.HELP_FBNET).columns())
                .size());
    }

    @Test
    void badMeasurementFilesAreNamed(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Measurements.read("hw_nas_bench_nb201.csv.gz", "tpu_latency", "arch_str"));
        assertTrue(e.getMessage().contains("no column 'tpu_latency'"), e.getMessage());
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "arch_str,ms\n0,1.5\n1,abc\n");
        e = assertThrows(IllegalArgumentException.class, () -> Measurements.read(bad.toString(), "ms", "arch_str"));
        assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("'abc' is not a number"), e.getMessage());
        Path neg = dir.resolve("neg.csv");
        Files.writeString(neg, "arch_str,ms\n0,1.5\n1,0\n");
        e = assertThrows(IllegalArgumentException.class, () -> Measurements.read(neg.toString(), "ms", "arch_str"));
        assertTrue(e.getMessage().contains("not a positive latency"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Measurements.read("nope.csv", "ms", "arch_str"));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void rankStatisticsMatchBruteForce() {
        SplittableRandom r = new SplittableRandom(5);
        double[] x = new double[300];
        double[] y = new double[300];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(20);
            y[i] = x[i] + r.nextInt(15);
        }
        long c = 0, d = 0, tx = 0, ty = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double a = Math.signum(x[i] - x[j]) * Math.signum(y[i] - y[j]);
                if (x[i] == x[j] && y[i] != y[j]) {
                    tx++;
                } else if (y[i] == y[j] && x[i] != x[j]) {
                    ty++;
                } else if (a > 0) {
                    c++;
                } else if (a < 0) {
                    d++;
                }
            }
        }
        double tauB = (c - d) / Math.sqrt((double) (c + d + tx) * (c + d + ty));
        assertEquals(tauB, Agreement.kendall(x, y), 1e-12);
        assertEquals(1.0, Agreement.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 40}), 1e-12);
        assertEquals(-1.0, Agreement.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertEquals(0.5, Agreement.within(new double[] {1, 2}, new double[] {1.05, 3}, 0.1));
    }
}
