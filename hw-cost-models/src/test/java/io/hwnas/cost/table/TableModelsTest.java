package io.hwnas.cost.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.table.BenchmarkTable;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Toy;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableModelsTest {

    @Test
    void tableModelReturnsTheMeasuredLatency() {
        SearchSpace s = SearchSpaces.get("nb201");
        Architecture a = s.parse("11472");
        CostReport r = CostModels.get("table").estimate(a, s.network(a), DeviceCatalog.get("raspi4"), 1);
        assertEquals(34.96, r.latencyMs(), 0.01); // the ResNet-like cell, README cross-check
        BenchmarkTable help = BenchmarkTable.shipped(BenchmarkTable.HELP_NB201);
        int row = help.index("arch_str").get(a.canonical());
        CostReport t = CostModels.get("table").estimate(a, s.network(a), DeviceCatalog.get("titan-rtx"), 256);
        assertEquals(help.number(row, help.column("titan_rtx_256")), t.latencyMs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CostModels.get("table").estimate(a, s.network(a), DeviceCatalog.get("h100"), 1));
        assertTrue(e.getMessage().contains("no measurement table"), e.getMessage());
    }

    @Test
    void lutModelSumsItsEntriesAndNamesAMissingLayer(@TempDir Path dir) throws Exception {
        Network n = Toy.chain(8, 2, 8);
        Map<String, Double> entries = new HashMap<>();
        double sum = 0;
        for (Layer l : n.operators()) {
            entries.put(Lut.signature(l, 1), 0.5);
            sum += 0.5;
        }
        Path file = dir.resolve("lut.csv");
        new Lut("test", entries).write(file);
        DeviceProfile d = DeviceCatalog.get("raspi4").withSetting("lut", file.toString());
        CostReport r = CostModels.get("lut").estimate(Toy.ARCH, n, d, 1);
        assertEquals(sum, r.latencyMs(), 1e-12);
        assertEquals(n.operators().size(), r.layers().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CostModels.get("lut").estimate(Toy.ARCH, Toy.chain(9, 2, 8), d, 1));
        assertTrue(e.getMessage().contains("no entry for layer stem"), e.getMessage());
    }
}
